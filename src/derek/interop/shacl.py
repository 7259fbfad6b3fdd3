"""DCAT-AP 3.0.1 validation with the official SHACL shapes (spec/dcat-ap/), as references section 6 says.

`shapes.ttl` is the gate; `range.ttl` is added for the strict (typed) check; `deprecateduris.ttl` only warns.
pySHACL runs with `inference="none"` and no `owl:imports`; the shapes are parsed once per process.
`dcat-ap-SHACL.ttl` is never used (it crashes pySHACL on dcat:DataService). `derek.ttl` is our own small shape
for the gaps of the official ones: issued/modified datatypes, empty titles, texts without a language tag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

SPEC = Path(__file__).resolve().parent / "spec"
DCAT_AP = SPEC / "dcat-ap"
DCT = Namespace("http://purl.org/dc/terms/")

# Our own shape: what the official shapes let through (guide references section 6).
DEREK_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix derek: <https://derek.example/shapes#> .

derek:DatasetGaps a sh:NodeShape ;
    sh:targetClass dcat:Dataset, dcat:Catalog ;
    sh:property [
        sh:path dct:issued ; sh:severity sh:Violation ;
        sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:dateTime ]
                [ sh:datatype xsd:gYear ] [ sh:datatype xsd:gYearMonth ] ) ;
        sh:message "dct:issued is not typed as a date or date-time"
    ], [
        sh:path dct:modified ; sh:severity sh:Violation ;
        sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:dateTime ]
                [ sh:datatype xsd:gYear ] [ sh:datatype xsd:gYearMonth ] ) ;
        sh:message "dct:modified is not typed as a date or date-time"
    ], [
        sh:path dct:title ; sh:severity sh:Violation ; sh:minLength 1 ; sh:pattern "\\\\S" ;
        sh:message "a title is empty"
    ], [
        sh:path dct:title ; sh:severity sh:Violation ;
        sh:datatype <http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> ;
        sh:message "a title has no language tag"
    ], [
        sh:path dct:description ; sh:severity sh:Violation ; sh:minLength 1 ; sh:pattern "\\\\S" ;
        sh:message "a description is empty"
    ], [
        sh:path dct:description ; sh:severity sh:Violation ;
        sh:datatype <http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> ;
        sh:message "a description has no language tag"
    ] .
"""

# Plain words for the shapes' paths (the property the subject lacks or gets wrong).
PROPERTY_WORDS = {
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/publisher": "publisher",
    "http://purl.org/dc/terms/issued": "issue date",
    "http://purl.org/dc/terms/modified": "modification date",
    "http://purl.org/dc/terms/license": "licence",
    "http://purl.org/dc/terms/format": "file format",
    "http://purl.org/dc/terms/language": "language",
    "http://purl.org/dc/terms/spatial": "spatial coverage",
    "http://purl.org/dc/terms/temporal": "time period",
    "http://purl.org/dc/terms/accrualPeriodicity": "update frequency",
    "http://www.w3.org/ns/dcat#accessURL": "access address (accessURL)",
    "http://www.w3.org/ns/dcat#downloadURL": "download address",
    "http://www.w3.org/ns/dcat#mediaType": "media type",
    "http://www.w3.org/ns/dcat#byteSize": "size in bytes",
    "http://www.w3.org/ns/dcat#theme": "theme",
    "http://www.w3.org/ns/dcat#contactPoint": "contact point",
    "http://www.w3.org/ns/dcat#dataset": "dataset list",
    "http://www.w3.org/ns/dcat#startDate": "start date",
    "http://www.w3.org/ns/dcat#endDate": "end date",
    "http://xmlns.com/foaf/0.1/name": "name",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "label",
    "http://spdx.org/rdf/terms#checksumValue": "checksum value",
    "http://spdx.org/rdf/terms#algorithm": "checksum algorithm",
}
CLASS_WORDS = {
    "http://www.w3.org/ns/dcat#Catalog": "catalog",
    "http://www.w3.org/ns/dcat#Dataset": "dataset",
    "http://www.w3.org/ns/dcat#Distribution": "distribution",
    "http://xmlns.com/foaf/0.1/Agent": "publisher",
    "http://www.w3.org/2004/02/skos/core#Concept": "theme",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "theme scheme",
    "http://spdx.org/rdf/terms#Checksum": "checksum",
    "http://purl.org/dc/terms/PeriodOfTime": "time period",
    "http://purl.org/dc/terms/Location": "place",
}


@dataclass(frozen=True)
class Words:
    """A message as a translatable template (its msgid in the locale catalogs) and the values it takes."""

    template: str  # English, with {resource}, {field} and {problem} where it names them
    resource: str = ""  # the resource's name
    field: str = ""  # the form field's label (itself a msgid)
    problem: str = ""  # the problem in English words (only in the fallback templates)

    def say(self, gettext: Callable[..., str] | None = None) -> str:
        """The message in the language of gettext (derek.core.i18n.translator), English without one."""
        if gettext is None:
            return self.template.format(resource=self.resource, field=self.field, problem=self.problem)
        field = gettext(self.field) if self.field else ""
        return gettext(self.template, resource=self.resource, field=field, problem=self.problem)


@dataclass(frozen=True)
class Violation:
    focus: str  # the node at fault (a dataset's, distribution's... URI)
    path: str  # the property's URI ("" when the shape is about the node)
    message: str  # plain words
    severity: str  # Violation | Warning | Info
    detail: str  # pySHACL's own message
    # for a publisher (interop/dcat_check.py): where to fix it, and the message to translate
    field: str = ""  # the form (and API) field holding the value at fault, "" when no form shows it
    resource_id: str = ""  # the resource whose form holds that field, "" for the dataset's own form
    words: Words | None = None
    constraint: str = ""  # the SHACL constraint component's name, e.g. "MinCountConstraintComponent"


@cache
def shapes(strict: bool = False) -> Graph:
    """The shapes graph, parsed once per process (gate, or gate + range for strict)."""
    graph = Graph()
    graph.parse(DCAT_AP / "shapes.ttl", format="turtle")
    graph.parse(DCAT_AP / "deprecateduris.ttl", format="turtle")
    graph.parse(data=DEREK_SHAPES, format="turtle")
    if strict:
        graph.parse(DCAT_AP / "range.ttl", format="turtle")
    return graph


def _kind(data: Graph, focus: URIRef | Literal) -> str:
    for cls in data.objects(focus, RDF.type):
        if str(cls) in CLASS_WORDS:
            return CLASS_WORDS[str(cls)]
    return "resource"


def _words(data: Graph, focus: URIRef, path: str, component: str, detail: str, value: str) -> str:
    kind = _kind(data, focus)
    prop = PROPERTY_WORDS.get(path, path.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
    name = component.rsplit("#", 1)[-1]
    if name == "MinCountConstraintComponent":
        return (
            f"The {kind} has no {prop} in any language"
            if prop in ("title", "description")
            else (f"The {kind} has no {prop}")
        )
    if name == "MaxCountConstraintComponent":
        return f"The {kind} has more than one {prop}"
    if name == "ClassConstraintComponent":
        return f"The {kind}'s {prop} {value} is not described with the type the standard expects"
    if name in ("DatatypeConstraintComponent", "OrConstraintComponent"):
        return f"The {kind}'s {prop} {value!s:.60} has the wrong data type ({detail})"
    if name == "NodeKindConstraintComponent":
        return (
            f"The {kind}'s {prop} must be a link (URI), not text"
            if "IRI" in detail
            else (f"The {kind}'s {prop} has the wrong kind of value")
        )
    if name in ("MinLengthConstraintComponent", "PatternConstraintComponent"):
        return f"The {kind} has an empty {prop}"
    return f"The {kind}'s {prop}: {detail}"


def validate(graph: Graph, strict: bool = False) -> list[Violation]:
    """Every result of the DCAT-AP shapes on the graph (violations and warnings), in plain words."""
    _conforms, report, _text = pyshacl_validate(
        graph,
        shacl_graph=shapes(strict),
        inference="none",
        do_owl_imports=False,
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        detail = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        path_s = str(path) if isinstance(path, URIRef) else ""
        found.append(
            Violation(
                focus=str(focus),
                path=path_s,
                message=_words(graph, focus, path_s, str(component), str(detail or ""), str(value or "")),  # type: ignore[arg-type]
                severity=str(severity).rsplit("#", 1)[-1],
                detail=str(detail or ""),
                constraint=str(component).rsplit("#", 1)[-1],
            )
        )
    return sorted(found, key=lambda v: (v.severity != "Violation", v.focus, v.path))


def violations(results: list[Violation]) -> list[Violation]:
    return [r for r in results if r.severity == "Violation"]
