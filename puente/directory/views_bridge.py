"""The taxonomy bridge editor (administrators only): the taxonomy terms with the services using them and their
Gravity SDOH categories, filters (taxonomy, name/code, unmapped only), and adding or removing a category per term.

Add/remove answer an htmx request with the term's row (swapped in place; a refused change comes back as a 422 row
carrying the error) and a plain form post with a redirect to the list the administrator came from, so the page
works without JavaScript. The directory holds no patient data, so these pages write no audit read events; the
writes are audited in ``bridge.py``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import bridge
from .forms_bridge import BridgeCategoryForm, BridgeFilterForm, BridgePrefixForm
from .models import SdohCategory

PAGE_SIZE = 50


def _require_admin(user):
    if not bridge.may_edit_bridge(user):
        raise PermissionDenied


@login_required
def bridge_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    return _list(request)


def _list(request, bulk_form=None, status=200):
    form = BridgeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    terms = bridge.editor_terms(
        taxonomy=filters.get("taxonomy"), text=filters.get("q", ""), unmapped=filters.get("unmapped", False)
    )
    page = Paginator(terms, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "back": request.get_full_path(),
        "category_form": BridgeCategoryForm(),
        "bulk_form": bulk_form or BridgePrefixForm(),
    }
    template = "directory/_bridge_results.html" if request.htmx else "directory/bridge.html"
    return render(request, template, context, status=status)


def _term(pk):
    term = bridge.editor_term(pk)
    if term is None:
        raise Http404
    return term


@login_required
def bridge_term(request: HttpRequest, pk) -> HttpResponse:
    """One term on its own page: the no-JavaScript answer to a refused change, and a link target."""
    _require_admin(request.user)
    return _term_page(request, _term(pk))


def _term_page(request, term, *, error="", status=200):
    back = reverse("directory:bridge_term", args=[term.pk])
    context = {"t": term, "error": error, "back": back, "category_form": BridgeCategoryForm()}
    return render(request, "directory/bridge_term.html", context, status=status)


def _back(request) -> str:
    target = request.POST.get("next", "")
    bridge_path = reverse("directory:bridge")
    if target.startswith(bridge_path) and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return bridge_path


def _change(request, pk, write, done_message, same_message):
    _require_admin(request.user)
    term = _term(pk)
    form = BridgeCategoryForm(request.POST)
    if not form.is_valid():
        error = form.errors["sdoh_category"][0]
        if request.htmx:
            context = {"t": term, "error": error, "back": _back(request), "category_form": form}
            return render(request, "directory/_bridge_row.html", context, status=422)
        return _term_page(request, term, error=error, status=400)
    code = form.cleaned_data["sdoh_category"]
    try:
        changed = write(request, term, code)
    except bridge.BridgeDenied:
        raise PermissionDenied from None
    label = SdohCategory(code).label
    note = (done_message if changed else same_message) % {"category": label, "term": term.name}
    if request.htmx:
        context = {"t": _term(pk), "note": note, "back": _back(request), "category_form": BridgeCategoryForm()}
        return render(request, "directory/_bridge_row.html", context)
    messages.success(request, note)
    return redirect(_back(request))


@require_POST
@login_required
def bridge_add(request: HttpRequest, pk) -> HttpResponse:
    return _change(
        request,
        pk,
        bridge.add_term_category,
        _("%(term)s now maps to %(category)s."),
        _("%(term)s already maps to %(category)s; nothing changed."),
    )


@require_POST
@login_required
def bridge_remove(request: HttpRequest, pk) -> HttpResponse:
    return _change(
        request,
        pk,
        bridge.remove_term_category,
        _("%(term)s no longer maps to %(category)s."),
        _("%(term)s did not map to %(category)s; nothing changed."),
    )


@require_POST
@login_required
def bridge_add_by_code(request: HttpRequest) -> HttpResponse:
    """Add one category to every term whose code starts with a prefix (a branch of a hierarchical taxonomy such
    as AIRS/211 LA's "BD-1875" food pantries). Refusals re-show the list with the form as typed."""
    _require_admin(request.user)
    form = BridgePrefixForm(request.POST)
    if form.is_valid():
        prefix, code = form.cleaned_data["prefix"], form.cleaned_data["sdoh_category"]
        try:
            added, had = bridge.add_category_by_code_prefix(request, prefix, code)
        except bridge.BridgeError as exc:
            form.add_error("prefix", exc.message)
        else:
            values = {"added": added, "had": had, "category": SdohCategory(code).label, "prefix": prefix.strip()}
            if added or had:
                messages.success(
                    request,
                    ngettext(
                        "%(category)s added to %(added)d term whose code starts with %(prefix)s. "
                        "Terms that had it already: %(had)d.",
                        "%(category)s added to %(added)d terms whose code starts with %(prefix)s. "
                        "Terms that had it already: %(had)d.",
                        added,
                    )
                    % values,
                )
            else:
                messages.warning(request, _("No taxonomy term has a code starting with %(prefix)s.") % values)
            return redirect(f"{reverse('directory:bridge')}?{urlencode({'q': prefix.strip()})}")
    return _list(request, bulk_form=form, status=400)
