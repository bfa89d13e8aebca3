"""Where each application stands, and the family's actions on it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status

from sunshine.admissions.selectors import placement_of
from sunshine.api import schemas
from sunshine.api.auth import ParentToken, actor_of, parent_of
from sunshine.api.views import application_out, summary_out
from sunshine.applications.models import Application
from sunshine.portal import corrections, notice, selectors, services

router = Router(tags=["applications"], auth=ParentToken())


def _application(request: HttpRequest, application_id: int) -> Application:
    return selectors.application_of(parent_of(request), application_id)


@router.get("", response=list[schemas.ApplicationSummaryOut])
def list_applications(request: HttpRequest) -> Any:
    return [
        summary_out(application, selectors.status_of(application).next_step)
        for application in selectors.my_applications(parent_of(request))
    ]


@router.get("/{application_id}", response={200: schemas.ApplicationOut, 404: schemas.Errors})
def get_application(request: HttpRequest, application_id: schemas.Id) -> Any:
    """Each check with its reason and what to do, the category and why, the result explained."""
    return application_out(_application(request, application_id))


@router.post(
    "/{application_id}/withdraw",
    response={200: schemas.ApplicationOut, 404: schemas.Errors, 422: schemas.Errors},
)
def withdraw(request: HttpRequest, application_id: schemas.Id) -> Any:
    application = services.withdraw(actor_of(request), _application(request, application_id))
    return application_out(application)


@router.post(
    "/{application_id}/enrollment",
    response={200: schemas.ApplicationOut, 404: schemas.Errors, 422: schemas.Errors},
)
def confirm_enrollment(request: HttpRequest, application_id: schemas.Id) -> Any:
    """The family confirms the admitted child will attend (safe to repeat)."""
    application = services.confirm_enrollment(
        actor_of(request), _application(request, application_id)
    )
    return application_out(application)


@router.post(
    "/{application_id}/review",
    response={201: schemas.ApplicationOut, 404: schemas.Errors, 422: schemas.Errors},
)
def request_review(request: HttpRequest, body: schemas.ReviewIn, application_id: schemas.Id) -> Any:
    """Ask for a manual review of the checks (documents are uploaded on the pages)."""
    application = _application(request, application_id)
    corrections.request_review(actor_of(request), application, note=body.note)
    application.refresh_from_db()
    return Status(201, application_out(application))


@router.get(
    "/{application_id}/notice",
    response={200: None, 404: schemas.Errors, 422: schemas.Errors},
    openapi_extra={
        "responses": {
            200: {
                "description": "The admission notice",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def admission_notice(request: HttpRequest, application_id: schemas.Id) -> Any:
    """The admission notice as a PDF, with the QR code of its public check."""
    application = _application(request, application_id)
    placement = placement_of(application)
    if not selectors.status_of(application).notice_available or placement is None:
        raise ValidationError({"status": _("录取后才能下载录取通知书")})
    check_url = request.build_absolute_uri(
        reverse("portal:notice_check", args=[notice.notice_token(placement)])
    )
    response = HttpResponse(notice.notice_pdf(placement, check_url), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="admission-{application.reference}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
