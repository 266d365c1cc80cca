"""Relations between tenant-owned models always name the organization.

Why: the data is to be distributable by `organization_id` (Citus). A query that does not name the organization
goes to every shard, so every read path must filter on it — including the ones Django writes for us:
`note.patient` (a lazy foreign-key load), `patient.identifiers.all()` (a reverse relation), prefetches, and
the existence check a ModelForm runs for a foreign key. Restating the organization by hand at each of those
call sites would be forgotten at the next one, so the relation descriptors of every tenant model do it here,
once, when the app registry is ready. Updates (`save()`) and `refresh_from_db()` add it in `TenantModel`.

A side benefit that is a security property: a foreign key can only resolve to, and a form can only validate,
a row of the same organization.
"""

from types import MethodType

from django.core import exceptions
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor, ReverseManyToOneDescriptor
from django.utils.functional import cached_property


def _org_of(instances) -> set:
    return {getattr(i, "organization_id", None) for i in instances} - {None}


class TenantForwardDescriptor(ForwardManyToOneDescriptor):
    """`child.parent` for a tenant parent: the lookup restates the child's organization."""

    def get_object(self, instance):
        qs = self.get_queryset(instance=instance)
        if instance.organization_id is not None:
            qs = qs.filter(organization_id=instance.organization_id)
        return qs.get(self.field.get_reverse_related_filter(instance))

    def get_prefetch_querysets(self, instances, querysets=None):
        queryset = querysets[0] if querysets else self.get_queryset(instance=instances[0])
        orgs = _org_of(instances)
        if orgs:
            queryset = queryset.filter(organization_id__in=orgs)
        return super().get_prefetch_querysets(instances, [queryset])


class TenantReverseDescriptor(ReverseManyToOneDescriptor):
    """`parent.children` for tenant children: the manager filters on the parent's organization too."""

    @cached_property
    def related_manager_cls(self):
        base = super().related_manager_cls

        class TenantRelatedManager(base):
            def __init__(self, instance):
                super().__init__(instance)
                if instance.organization_id is not None:
                    self.core_filters = {"organization_id": instance.organization_id, **self.core_filters}

            def get_prefetch_querysets(self, instances, querysets=None):
                queryset = querysets[0] if querysets else base.get_queryset(self)
                orgs = _org_of(instances)
                if orgs:
                    queryset = queryset.filter(organization_id__in=orgs)
                return super().get_prefetch_querysets(instances, [queryset])

        return TenantRelatedManager


def _tenant_fk_validate(field, value, model_instance):
    """ForeignKey.validate, but the referenced row must belong to the instance's organization."""
    org_id = getattr(model_instance, "organization_id", None)
    if org_id is None:
        return type(field).validate(field, value, model_instance)
    super(type(field), field).validate(value, model_instance)  # null / blank / choices, not the lookup
    if value is None:
        return
    remote = field.remote_field.model
    qs = remote._base_manager.filter(organization_id=org_id, **{field.remote_field.field_name: value})
    if not qs.complex_filter(field.get_limit_choices_to()).exists():
        raise exceptions.ValidationError(
            field.error_messages["invalid"],
            code="invalid",
            params={
                "model": remote._meta.verbose_name,
                "pk": value,
                "field": field.remote_field.field_name,
                "value": value,
            },
        )


def scope_tenant_relations() -> None:
    """Install the organization-restating descriptors on every foreign key between two tenant models."""
    from django.apps import apps

    from .models import TenantModel

    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        for field in model._meta.get_fields():
            if not (field.concrete and field.many_to_one and not field.one_to_one):
                continue
            remote = field.remote_field.model
            if not (isinstance(remote, type) and issubclass(remote, TenantModel)) or field.name == "organization":
                continue
            setattr(model, field.name, TenantForwardDescriptor(field))
            field.validate = MethodType(_tenant_fk_validate, field)
            rel = field.remote_field
            if not rel.hidden:
                setattr(remote, rel.accessor_name, TenantReverseDescriptor(rel))
