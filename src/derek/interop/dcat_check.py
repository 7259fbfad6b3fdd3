"""The DCAT-AP check a publisher sees after saving: one dataset's graph through the gate shapes, each result
worded for the form field that fixes it.

The graph is the one `/dataset/{name}.ttl` serves (`dcat.graph_of_dataset`), built here also for drafts and
private datasets, which only their editors ever see checked. The gate is `shacl.validate` without the
range shapes (about 30 ms for a demo dataset, the shapes parsed once per process). Only results about the
dataset, its distributions and its own nodes (contact point, time period, checksums) are kept: the catalog
wrapper, the publishing organization and the EU code lists are not the publisher's to fix. Of the gate's
rules, Derek's forms can break only one (a dataset needs a description); the rest are worded anyway, and
an unforeseen one falls back to "<field>: <the validator's words in English>".
"""

from __future__ import annotations

from dataclasses import replace

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL
from sqlalchemy.orm import Session

from derek.catalog import service
from derek.catalog.schemas import DatasetRead
from derek.catalog.service import Dataset
from derek.config import Profile
from derek.core.authz import Actor, authorize
from derek.interop import dcat
from derek.interop.shacl import Violation, Words, validate

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

# property of the dataset -> (its field in the dataset form and API, the label the form shows)
DATASET_FIELDS = {
    str(DCTERMS.title): ("title", "Title"),
    str(DCTERMS.description): ("description", "Description"),
    str(DCTERMS.publisher): ("organization", "Organization"),
    str(DCAT.theme): ("themes", "Themes"),
    str(DCAT.keyword): ("keywords", "Keywords"),
    str(DCTERMS.license): ("license_id", "Licence"),
    str(DCTERMS.accrualPeriodicity): ("update_frequency", "Update frequency"),
    str(DCTERMS.temporal): ("temporal_start", "Time period covered"),
    str(DCTERMS.spatial): ("regions", "Regions"),
    str(DCAT.contactPoint): ("contact_email", "Contact"),
    str(OWL.versionInfo): ("version", "Version"),
    str(DCAT) + "version": ("version", "Version"),  # DCAT 3, which rdflib's closed namespace lacks
    str(DCTERMS.issued): ("issued", "Published"),  # API only
    str(DCTERMS.language): ("languages", "Languages"),  # API only
}
# the dataset's own nodes, by the fragment of their URI
NODE_FIELDS = {
    "temporal": {
        str(DCAT.startDate): ("temporal_start", "Start"),
        str(DCAT.endDate): ("temporal_end", "End"),
        "": ("temporal_start", "Time period covered"),
    },
    "contact": {
        str(VCARD.fn): ("contact_name", "Contact name"),
        str(VCARD.hasEmail): ("contact_email", "Contact e-mail"),
        "": ("contact_email", "Contact"),
    },
}
# property of a distribution -> its field in the resource form and API
RESOURCE_FIELDS = {
    str(DCTERMS.title): ("name", "Name"),
    str(DCTERMS.description): ("description", "Description"),
    str(DCAT.accessURL): ("url", "Link"),
    str(DCAT.downloadURL): ("file", "File"),
    str(DCAT.byteSize): ("file", "File"),
    str(SPDX.checksum): ("file", "File"),
    str(DCTERMS.format): ("format", "Format"),
    str(DCAT.mediaType): ("format", "Format"),
}
# what the publisher reads, by (node, property, constraint): each one a msgid of locale/*/interop.po
DESCRIPTION, TITLE, PUBLISHER = str(DCTERMS.description), str(DCTERMS.title), str(DCTERMS.publisher)
MESSAGES = {
    ("dataset", DESCRIPTION, "MinCount"): "Description: the dataset has no description in any language",
    ("dataset", DESCRIPTION, "MinLength"): "Description: a description is empty",
    ("dataset", DESCRIPTION, "Pattern"): "Description: a description is empty",
    ("dataset", TITLE, "MinCount"): "Title: the dataset has no title in any language",
    ("dataset", TITLE, "MinLength"): "Title: a title is empty",
    ("dataset", TITLE, "Pattern"): "Title: a title is empty",
    ("dataset", PUBLISHER, "MinCount"): "Organization: the dataset has no publishing organization",
    ("resource", str(DCAT.accessURL), "MinCount"): "Resource “{resource}”: no link or file",
}
FALLBACK = {"dataset": "{field}: {problem}", "resource": "Resource “{resource}”, {field}: {problem}"}
FALLBACK_UNNAMED = {"dataset": "{problem}", "resource": "Resource “{resource}”: {problem}"}
# fields the dataset form shows, so a message can link to them (issued and languages are API only)
FORM_FIELDS = {
    "title", "description", "organization", "themes", "keywords", "license_id", "update_frequency",
    "temporal_start", "temporal_end", "regions", "contact_name", "contact_email", "version",
}  # fmt: skip
RESOURCE_FORM_FIELDS = {"name", "description", "url", "file", "format"}


def check_dataset(
    session: Session, profile: Profile, site: str, dataset: DatasetRead | Dataset
) -> list[Violation]:
    """The gate's results about this dataset (whatever its state), worded for its publisher.

    The caller decides who may see them (`check_dataset_for` asks the permission registry)."""
    if not isinstance(dataset, DatasetRead):
        dataset = service.dataset_read(session, profile, dataset)
    return for_publisher(validate(dcat.graph_of_dataset(profile, site, dataset)), site, dataset)


def for_publisher(results: list[Violation], site: str, dataset: DatasetRead) -> list[Violation]:
    """The results about the dataset, its distributions and its own nodes, each worded for its publisher."""
    own = f"{site.rstrip('/')}/dataset/{dataset.id}"
    return [
        _for_publisher(result, own, dataset)
        for result in results
        if result.focus == own or result.focus.startswith((own + "/", own + "#"))
    ]


def check_dataset_for(
    session: Session, actor: Actor, profile: Profile, site: str, name_or_id: str
) -> tuple[DatasetRead, list[Violation]]:
    """The check of a dataset the actor may change: NotFound when they may not see it, NotAuthenticated or
    Forbidden when they may not change it."""
    row = service.find_visible_dataset(session, actor, name_or_id)
    authorize(actor, "dataset.update", row)
    dataset = service.dataset_read(session, profile, row)
    return dataset, check_dataset(session, profile, site, dataset)


def conforms(results: list[Violation]) -> bool:
    return not any(r.severity == "Violation" for r in results)


def _for_publisher(result: Violation, own: str, dataset: DatasetRead) -> Violation:
    rest = result.focus[len(own) :]
    if rest.startswith("/resource/"):
        resource_id = rest.removeprefix("/resource/").split("#", 1)[0]
        if result.path == str(DCTERMS.license):  # the licence is chosen on the dataset's form
            return _worded(result, "dataset", "license_id", "Licence")
        key, label = ("file", "File") if "#" in rest else RESOURCE_FIELDS.get(result.path, ("", ""))
        resource = next((r for r in dataset.resources if r.id == resource_id), None)
        name = (resource.name or resource.format or resource.id) if resource else resource_id
        return _worded(result, "resource", key, label, resource_id, name)
    if rest.startswith("#"):  # the contact point, the time period
        fields = NODE_FIELDS.get(rest[1:], {})
        key, label = fields.get(result.path) or fields.get("") or ("", "")
    else:
        key, label = DATASET_FIELDS.get(result.path, ("", ""))
    return _worded(result, "dataset", key, label)


def _worded(
    result: Violation, node: str, key: str, label: str, resource_id: str = "", resource: str = ""
) -> Violation:
    constraint = result.constraint.removesuffix("ConstraintComponent")
    template = MESSAGES.get((node, result.path, constraint))
    problem = ""
    if template is None:  # not foreseen: the label, then the validator's own words
        template = FALLBACK[node] if label else FALLBACK_UNNAMED[node]
        problem = result.message[:1].lower() + result.message[1:] if label or resource else result.message
    words = Words(template=template, resource=resource, field=label, problem=problem)
    return replace(result, message=words.say(), field=key, resource_id=resource_id, words=words)


def form_link(result: Violation, dataset_name: str) -> str:
    """Where a publisher fixes it: the field in the dataset's or a resource's form, "" when no form has it."""
    if result.resource_id and result.field in RESOURCE_FORM_FIELDS:
        return f"/dataset/{dataset_name}/resource/{result.resource_id}/edit#f-{result.field}"
    if not result.resource_id and result.field in FORM_FIELDS:
        return f"/dataset/{dataset_name}/edit#f-{result.field}"
    return ""
