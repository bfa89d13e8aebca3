"""The parent's home page and their children."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from sunshine.applications.models import Child
from sunshine.applications.services import GuardianInput, validated_id_number
from sunshine.portal import selectors, services
from sunshine.portal.forms import ChildForm
from sunshine.portal.views.common import actor_of, errors_of, parent, parent_required
from sunshine.privacy.masking import mask_id_number, mask_phone

# The service names guardians by position; the form names them by role.
_FIELDS = {
    "guardians.0.id_number": "parent_id_number",
    "guardians.1.id_number": "other_id_number",
    "guardians.1.phone": "other_phone",
    "guardians": "parent_name",
}


@parent_required
def home(request: HttpRequest) -> HttpResponse:
    user = parent(request)
    now = timezone.now()
    cards = [selectors.child_card(user, child, now) for child in selectors.my_children(user)]
    applications = [
        (application, selectors.status_of(application, now).next_step)
        for application in selectors.my_applications(user)
    ]
    return render(request, "portal/home.html", {"cards": cards, "applications": applications})


@parent_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = parent(request)
    try:
        child = selectors.child_of(user, pk)
    except Child.DoesNotExist:
        raise Http404 from None
    return render(request, "portal/child.html", {"card": selectors.child_card(user, child)})


@parent_required
@sensitive_post_parameters()
def child_add(request: HttpRequest) -> HttpResponse:
    """Two steps: type, then confirm what the ID number says (birth date and sex)."""
    user = parent(request)
    twins = [(c.pk, c.name) for c in selectors.my_children(user)]
    form = ChildForm(request.POST or None, twins=twins)
    errors: dict[str, list[str]] = {}
    if request.POST.get("action") == "change":
        return render(request, "portal/child_form.html", {"form": form, "errors": errors})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        try:
            parsed = validated_id_number(data["id_number"], "id_number", today)
            validated_id_number(data["parent_id_number"], "parent_id_number", today)
            if request.POST.get("action") != "confirm":
                return render(
                    request,
                    "portal/child_confirm.html",
                    {
                        "form": form,
                        "parsed": parsed,
                        "masked_id": mask_id_number(parsed.value),
                        "masked_other_phone": mask_phone(data.get("other_phone") or ""),
                        "age": selectors.age_on_cutoff(parsed.birth_date, today.year),
                    },
                )
            child = services.add_child(
                actor_of(request),
                user,
                name=data["name"],
                id_number=data["id_number"],
                parent=services.ParentInput(
                    data["parent_name"], data["parent_id_number"], data["relation"]
                ),
                other_guardian=GuardianInput(
                    data["other_name"],
                    data["other_id_number"],
                    data["other_phone"],
                    data["other_relation"],
                )
                if data.get("add_other")
                else None,
                twin_of=selectors.child_of(user, data["twin_of"]) if data.get("twin_of") else None,
                today=today,
            )
            return redirect("portal:child", pk=child.pk)
        except ValidationError as error:
            errors = {
                _FIELDS.get(name, name): messages for name, messages in errors_of(error).items()
            }
        except Child.DoesNotExist:
            errors = {"twin_of": [_("请选择您登记的孩子")]}
    elif request.method == "POST":
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    status = 400 if errors else 200
    return render(
        request, "portal/child_form.html", {"form": form, "errors": errors}, status=status
    )
