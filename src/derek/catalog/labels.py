"""Human labels (English msgids, translated through the UI catalogs) for the catalog's coded values."""

from __future__ import annotations

# EU frequency vocabulary (http://publications.europa.eu/resource/authority/frequency)
FREQUENCY_LABELS: dict[str, str] = {
    "CONT": "Continuous",
    "UPDATE_CONT": "Continuously updated",
    "DAILY": "Daily",
    "WEEKLY": "Weekly",
    "BIWEEKLY": "Every two weeks",
    "MONTHLY": "Monthly",
    "BIMONTHLY": "Every two months",
    "QUARTERLY": "Quarterly",
    "ANNUAL_2": "Twice a year",
    "ANNUAL": "Annual",
    "BIENNIAL": "Every two years",
    "TRIENNIAL": "Every three years",
    "IRREG": "Irregular",
    "NEVER": "Never updated",
    "OTHER": "Other",
    "UNKNOWN": "Unknown",
}

ORG_TYPE_LABELS: dict[str, str] = {
    "ministry": "Ministry",
    "akimat": "Akimat (local executive body)",
    "agency": "Agency",
    "state_company": "State company",
    "other": "Other organization",
}

FACET_TITLES: dict[str, str] = {
    "organization": "Organization",
    "theme": "Theme",
    "format": "Format",
    "license": "Licence",
    "keyword": "Keyword",
    "frequency": "Update frequency",
    "region": "Region",
}


def frequency_label(code: str) -> str:
    return FREQUENCY_LABELS.get(code, code)


def org_type_label(code: str) -> str:
    return ORG_TYPE_LABELS.get(code, code)
