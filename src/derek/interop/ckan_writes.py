"""CKAN's write actions (POST only): datasets, resources, organizations and their members.

package_update follows CKAN 2.11's replace semantics for CKAN's own fields (omitted notes, tags, groups,
extras, licence, maintainer, version ... are cleared) and its rules for `resources` in the dict: matched
by id, those without a known id are created, those missing are deleted, the list order becomes their
order. Two deliberate differences, both protecting data: a dict without a `resources` key keeps the
resources (as CKAN 2.12 does), and Derek-only fields, `private` and `state` are kept unless sent.

Deleted datasets come back as on CKAN, where `ckanapi load` restores a deleted dataset by updating it with
`state: active`: package_update (or _patch) with `state` active or draft restores a deleted dataset (only
sysadmins see those), and, because org editors cannot see deleted datasets in Derek, package_create with
the name of a deleted dataset the caller may edit restores that dataset (same id, its stored files kept)
and replaces it with the dict sent. Otherwise the name stays taken ("That URL is already in use.").
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from derek.catalog import service
from derek.catalog.schemas import (
    DatasetCreate,
    DatasetUpdate,
    OrganizationCreate,
    ResourceCreate,
    ResourceUpdate,
)
from derek.catalog.service import Upload
from derek.core import accounts
from derek.core.errors import DomainError, Forbidden, NotFound
from derek.interop.ckan_actions import Call, ValidationError, action
from derek.interop.ckan_dicts import (
    ckan_errors,
    dataset_values,
    multilingual,
    organization_dict,
    package_dict,
    pydantic_errors,
    resource_values,
)
from derek.interop.ckan_reads import resource_in_package

M = TypeVar("M", bound=BaseModel)


def _model(model: type[M], values: dict[str, Any]) -> M:
    try:
        return model.model_validate(values)
    except PydanticValidationError as exc:
        raise ValidationError(pydantic_errors(exc)) from None


def _errors_of(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ValidationError):
        return exc.errors
    if isinstance(exc, PydanticValidationError):
        return pydantic_errors(exc)
    if isinstance(exc, DomainError):
        return ckan_errors(exc.errors) if exc.errors else {"message": exc.message}
    raise exc


def _show(call: Call, ident: str) -> dict[str, Any]:
    return package_dict(call, service.get_dataset(call.session, call.actor, call.profile, ident))


def _upload(call: Call) -> Upload | None:
    upload = call.data.get("upload")
    return upload if isinstance(upload, Upload) else None


def _sync_resources(call: Call, dataset_id: str, wanted: Any) -> None:
    """Make the dataset's resources what the list says (CKAN's package_update rules)."""
    if not isinstance(wanted, list):
        raise ValidationError({"resources": ["Not a list"]})
    current = {r["id"]: r for r in _show(call, dataset_id)["resources"]}
    order: list[str] = []
    for i, item in enumerate(wanted):
        try:
            if not isinstance(item, dict):
                raise ValidationError({"message": "A resource must be a dict."})
            existing = current.get(str(item.get("id") or ""))
            if existing is not None:
                values = resource_values(item, existing, replace=True)
                if any(
                    values.get(k, existing.get(_ckan_key(k))) != existing.get(_ckan_key(k)) for k in values
                ):
                    update = _model(ResourceUpdate, values)
                    service.update_resource(call.session, call.actor, existing["id"], update)
                order.append(existing["id"])
            else:
                data = _model(ResourceCreate, resource_values(item, None, replace=False))
                order.append(service.create_resource(call.session, call.actor, dataset_id, data).id)
        except (ValidationError, PydanticValidationError, DomainError) as exc:
            if isinstance(exc, Forbidden):
                raise
            raise ValidationError({"resources": [{} for _ in range(i)] + [_errors_of(exc)]}) from None
    for resource_id in current:
        if resource_id not in order:
            service.delete_resource(call.session, call.actor, resource_id)
    service.reorder_resources(call.session, call.actor, dataset_id, order)


def _ckan_key(derek_key: str) -> str:
    return "mimetype" if derek_key == "media_type" else derek_key


def _restore_deleted(call: Call, name_or_id: str) -> str | None:
    """The id of the deleted dataset of that name, brought back as a draft, if the caller may edit it."""
    try:
        return service.restore_dataset(call.session, call.actor, name_or_id)
    except (NotFound, Forbidden):
        return None


@action("package_create", read=False)
def package_create(call: Call) -> dict[str, Any]:
    """Create a dataset (and its `resources`) from a CKAN package dict; `name` and `owner_org` are needed."""
    values = dataset_values(call.profile, call.data, creating=True)
    restored = _restore_deleted(call, str(values["name"])) if values.get("name") else None
    if restored is not None:  # a deleted dataset sent again: restore it, replaced by what was sent
        replacement = {"private": False, "resources": [], **call.data, "id": restored}
        replacement["state"] = call.data.get("state") or "active"
        return update_package(call, replacement)
    data = _model(DatasetCreate, values)
    created = service.create_dataset(call.session, call.actor, call.profile, data)
    if call.data.get("resources"):
        _sync_resources(call, created.id, call.data["resources"])
    return _show(call, created.id)


def update_package(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    ident = str(data.get("id") or data.get("name") or "")
    if not ident:
        raise ValidationError({"id": ["Missing value"]})
    current = service.get_dataset(call.session, call.actor, call.profile, ident)
    values = dataset_values(call.profile, data, creating=False)
    if current.state == "deleted" and values.get("state") in ("published", "draft"):
        service.restore_dataset(call.session, call.actor, current.id)
    update = _model(DatasetUpdate, values)
    service.update_dataset(call.session, call.actor, call.profile, current.id, update)
    if "resources" in data:
        _sync_resources(call, current.id, data["resources"] or [])
    return _show(call, current.id)


@action("package_update", read=False)
def package_update(call: Call) -> dict[str, Any]:
    """Replace a dataset (by `id` or `name`) with the dict sent: send what package_show gave, edited."""
    return update_package(call, call.data)


@action("package_patch", read=False)
def package_patch(call: Call) -> dict[str, Any]:
    """Change only the top-level keys sent; lists sent (resources, tags, groups, extras) replace the old."""
    ident = str(call.required("id"))
    merged = _show(call, ident)
    for plain, translated in (("title", "title_translated"), ("notes", "notes_translated")):
        if translated in call.data and plain not in call.data:
            merged.pop(plain, None)
    merged.update({k: v for k, v in call.data.items() if k != "id"})
    return update_package(call, merged)


@action("package_delete", read=False)
def package_delete(call: Call) -> None:
    """Delete a dataset by `id` (id or name)."""
    service.delete_dataset(call.session, call.actor, str(call.required("id")))


@action("resource_create", read=False)
def resource_create(call: Call) -> dict[str, Any]:
    """Add a resource to `package_id`: a link (`url`) or a file sent as multipart field `upload`."""
    dataset_id = str(call.required("package_id"))
    data = _model(ResourceCreate, resource_values(call.data, None, replace=False))
    created = service.create_resource(call.session, call.actor, dataset_id, data, _upload(call))
    return resource_in_package(call, created.id)


def _update_resource(call: Call, *, replace: bool) -> dict[str, Any]:
    current = resource_in_package(call, str(call.required("id")))
    data = _model(ResourceUpdate, resource_values(call.data, current, replace=replace))
    service.update_resource(call.session, call.actor, current["id"], data, _upload(call))
    return resource_in_package(call, current["id"])


@action("resource_update", read=False)
def resource_update(call: Call) -> dict[str, Any]:
    """Replace a resource's name and description, and its link or file (`upload`) when sent."""
    return _update_resource(call, replace=True)


@action("resource_patch", read=False)
def resource_patch(call: Call) -> dict[str, Any]:
    """Change only the resource fields sent."""
    return _update_resource(call, replace=False)


@action("resource_delete", read=False)
def resource_delete(call: Call) -> None:
    """Delete a resource by `id`."""
    service.delete_resource(call.session, call.actor, str(call.required("id")))


@action("organization_create", read=False)
def organization_create(call: Call) -> dict[str, Any]:
    """Create an organization: `name`, `title` (or `title_translated`), `description`, `image_url`."""
    name = str(call.required("name"))
    lang = call.lang
    values: dict[str, Any] = {
        "name": name,
        "title": multilingual(call.data, "title", "title_translated", lang) or {lang: name},
        "description": multilingual(call.data, "description", "description_translated", lang) or {},
    }
    if call.data.get("image_url"):
        values["logo_url"] = str(call.data["image_url"])
    for key in ("org_type", "parent", "contact_email", "contact_phone", "website"):
        if call.data.get(key):
            values[key] = call.data[key]
    org = service.create_organization(call.session, call.actor, _model(OrganizationCreate, values))
    return organization_dict(call, org)


def _set_member(call: Call, role: str | None) -> dict[str, Any]:
    org = service.get_organization(call.session, call.actor, str(call.required("id")))
    username = str(call.required("username"))
    # by name: the permission is checked before the user is looked up, so outsiders cannot probe names
    accounts.set_membership(call.session, call.actor, username, org.id, role)
    user = accounts.get_user(call.session, username)
    return {
        "id": f"{org.id}:{user.id}",
        "table_name": "user",
        "table_id": user.id,
        "group_id": org.id,
        "capacity": role,
        "state": "active" if role else "deleted",
    }


@action("organization_member_create", read=False)
def organization_member_create(call: Call) -> dict[str, Any]:
    """Give `username` the `role` (admin, editor, member) in organization `id`, or change it."""
    return _set_member(call, str(call.required("role")))


@action("organization_member_delete", read=False)
def organization_member_delete(call: Call) -> None:
    """Remove `username` from organization `id`."""
    _set_member(call, None)
