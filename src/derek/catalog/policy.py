"""Who may do what in the catalog, and which datasets an actor may see (as a SQL filter)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from derek.catalog.models import Dataset
from derek.core.authz import Actor, register


def _org_id(obj: Any) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    return getattr(obj, "organization_id", None) or getattr(obj, "id", None)


@register("organization.create", "create organizations")
def _create_org(actor: Actor, _obj: Any) -> bool:
    return False  # sysadmins only


@register("organization.update", "change this organization")
def _update_org(actor: Actor, org: Any) -> bool:
    return actor.has_org_role(_org_id(org), "admin")


@register("organization.delete", "delete organizations")
def _delete_org(actor: Actor, _org: Any) -> bool:
    return False  # sysadmins only


@register("organization.manage_members", "manage this organization's members")
def _manage_members(actor: Actor, org: Any) -> bool:
    return actor.has_org_role(_org_id(org), "admin")


@register("dataset.create", "create datasets in this organization")
def _create_dataset(actor: Actor, org: Any) -> bool:
    return actor.has_org_role(_org_id(org), "admin", "editor")


@register("dataset.update", "change this dataset")
def _update_dataset(actor: Actor, dataset: Any) -> bool:
    return actor.has_org_role(_org_id(dataset), "admin", "editor")


@register("dataset.delete", "delete this dataset")
def _delete_dataset(actor: Actor, dataset: Any) -> bool:
    return actor.has_org_role(_org_id(dataset), "admin", "editor")


@register("dataset.read_private", "see private and draft datasets of this organization")
def _read_private(actor: Actor, dataset: Any) -> bool:
    return actor.role_in(_org_id(dataset)) is not None


def can_see(actor: Actor, dataset: Dataset) -> bool:
    if dataset.state == "deleted":
        return actor.sysadmin
    if dataset.state == "published" and not dataset.private:
        return True
    return actor.sysadmin or actor.role_in(dataset.organization_id) is not None


def visible_datasets(
    actor: Actor, *, include_private: bool = True, include_drafts: bool = True
) -> ColumnElement[bool]:
    """SQL filter of the datasets the actor may see: used by every list, count, facet and feed."""
    public = and_(Dataset.state == "published", Dataset.private.is_(False))
    if actor.sysadmin and include_private:
        return Dataset.state.in_(["published", "draft"] if include_drafts else ["published"])
    if not include_private or not actor.memberships:
        return public  # a plain condition the (state, private) index can serve
    states = ["published", "draft"] if include_drafts else ["published"]
    own = and_(Dataset.organization_id.in_(list(actor.memberships)), Dataset.state.in_(states))
    return or_(public, own)
