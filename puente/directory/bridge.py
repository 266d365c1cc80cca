"""The taxonomy bridge editor's reads and writes: administrators map taxonomy terms (AIRS/211 LA, Open Eligibility,
any imported taxonomy) to Gravity SDOH categories.

Why a module of its own rather than ``services.py``: the bridge is a small, separate concern (an administrator's
vocabulary mapping, not a listing's curation), and keeping it apart lets its rules be read in one place.

Writes follow the house rules (atomic, audited, ``verb_noun``). They are idempotent: adding a pair that exists or
removing one that does not changes nothing and writes no audit row, so a double click or a stale page is harmless.

No search document is refreshed: ``Service.search_document`` holds the words and facet words of a service's
taxonomy terms (their ids), not its SDOH categories (``services.refresh_search_documents``), and a search turns
the need into the terms bridged to it when it runs (``search.search_terms``), so a change is seen by the next
search without rebuilding anything. Should the document ever include category words,
``add_term_category``/``remove_term_category`` must refresh ``services_using(term)``.
"""

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from puente.accounts.models import Role
from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event

from .models import Attribute, SdohCategory, Service, TaxonomyBridge, TaxonomyTerm


class BridgeDenied(PermissionError):
    """Only administrators edit the bridge (views answer 403)."""


class BridgeError(ValueError):
    """A refused bridge change; ``message`` is translated and shown to the administrator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def may_edit_bridge(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.ADMIN


def _check_admin(user):
    if not may_edit_bridge(user):
        raise BridgeDenied


def _active_uses(term_ref):
    """Attribute rows linking ``term_ref`` to a service search shows (active in Puente and HSDS status active)."""
    return Attribute.objects.filter(
        taxonomy_term_id=term_ref, link_id__in=Service.objects.searchable().values("id")
    ).order_by()


def editor_terms(*, taxonomy=None, text: str = "", unmapped: bool = False):
    """The terms the editor lists, each annotated with ``service_count`` (active services using it), with the
    taxonomy and the bridge rows loaded: a fixed number of queries per page whatever the number of terms.

    ``taxonomy``: a ``Taxonomy`` (its terms only). ``text``: in the name or the code. ``unmapped``: terms used by
    at least one active service and bridged to no category, the administrator's to-do list."""
    uses = (
        _active_uses(OuterRef("pk")).values("taxonomy_term_id").annotate(n=Count("link_id", distinct=True)).values("n")
    )
    qs = (
        TaxonomyTerm.objects.select_related("taxonomy_detail")
        .prefetch_related("sdoh_bridges")
        .annotate(service_count=Coalesce(Subquery(uses, output_field=IntegerField()), Value(0)))
        .order_by("name", "code", "id")
    )
    if taxonomy is not None:
        qs = qs.filter(taxonomy_detail=taxonomy)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__icontains=text))
    if unmapped:
        qs = qs.filter(Exists(_active_uses(OuterRef("pk")))).exclude(
            Exists(TaxonomyBridge.objects.filter(taxonomy_term_id=OuterRef("pk")))
        )
    return qs


def editor_term(pk):
    """One term as the editor's row shows it (same annotations as ``editor_terms``), or None."""
    return editor_terms().filter(pk=pk).first()


def services_using(term):
    """Ids of the active services whose attributes carry ``term`` (the ones a bridge change moves in search)."""
    return list(_active_uses(term.pk).values_list("link_id", flat=True).distinct())


def _category(code: str) -> str:
    if code not in SdohCategory.values:
        raise BridgeError(_("Choose an SDOH category from the list."))
    return code


def _audit(request, action, term, actor, category, change):
    record_event(
        request,
        action,
        obj=term,
        user=actor,
        organization_id=actor.organization_id,
        detail={
            "change": change,
            "taxonomy_term": str(term.pk),
            "taxonomy_term_name": term.name,
            "taxonomy_term_code": term.code,
            "sdoh_category": category,
        },
    )


@transaction.atomic
def add_term_category(request, term, sdoh_category: str, *, user=None) -> bool:
    """Bridge ``term`` to ``sdoh_category``; True when the pair is new (audited), False when it existed already
    (nothing written: adding twice is not an error)."""
    actor = acting_user(request, user)
    _check_admin(actor)
    code = _category(sdoh_category)
    _bridge, created = TaxonomyBridge.objects.get_or_create(taxonomy_term=term, sdoh_category=code)
    if created:
        _audit(request, AuditAction.CREATE, term, actor, code, "bridge_added")
    return created


@transaction.atomic
def remove_term_category(request, term, sdoh_category: str, *, user=None) -> bool:
    """Remove the bridge from ``term`` to ``sdoh_category``; True when one was removed (audited), False when
    there was none (nothing written)."""
    actor = acting_user(request, user)
    _check_admin(actor)
    code = _category(sdoh_category)
    deleted, _rows = TaxonomyBridge.objects.filter(taxonomy_term=term, sdoh_category=code).delete()
    if deleted:
        _audit(request, AuditAction.DELETE, term, actor, code, "bridge_removed")
    return bool(deleted)


# A prefix shorter than this would sweep up a whole taxonomy by accident ("B" is every AIRS basic-needs term).
MIN_PREFIX = 2


@transaction.atomic
def add_category_by_code_prefix(request, prefix: str, sdoh_category: str, *, user=None) -> tuple[int, int]:
    """Bridge every term whose code starts with ``prefix`` (case-insensitive) to ``sdoh_category``; return
    (pairs added, matching terms that had it already). One audit row listing the terms that changed; nothing
    written and nothing audited when every match had it already."""
    actor = acting_user(request, user)
    _check_admin(actor)
    code = _category(sdoh_category)
    prefix = (prefix or "").strip()
    if len(prefix) < MIN_PREFIX:
        raise BridgeError(_("Enter at least %(n)d characters of the code.") % {"n": MIN_PREFIX})
    matching = TaxonomyTerm.objects.filter(code__istartswith=prefix)
    missing = list(
        matching.exclude(sdoh_bridges__sdoh_category=code).order_by("code", "id").values_list("id", flat=True)
    )
    had = matching.filter(sdoh_bridges__sdoh_category=code).count()
    if not missing:
        return 0, had
    TaxonomyBridge.objects.bulk_create(
        [TaxonomyBridge(taxonomy_term_id=pk, sdoh_category=code) for pk in missing], ignore_conflicts=True
    )
    record_event(
        request,
        AuditAction.CREATE,
        object_type=TaxonomyTerm._meta.label_lower,
        user=actor,
        organization_id=actor.organization_id,
        detail={
            "change": "bridge_added_by_code_prefix",
            "code_prefix": prefix,
            "sdoh_category": code,
            "taxonomy_terms": [str(pk) for pk in missing],
        },
    )
    return len(missing), had
