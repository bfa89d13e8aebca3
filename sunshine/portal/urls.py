from django.urls import path

from sunshine.portal.views import apply, children, login, oidc, status

app_name = "portal"
urlpatterns = [
    path("", children.home, name="home"),
    path("login/", login.login, name="login"),
    path("login/oidc/", oidc.start, name="oidc_start"),
    path("login/oidc/callback/", oidc.callback, name="oidc_callback"),
    path("children/new/", children.child_add, name="child_add"),
    path("children/<int:pk>/", children.child_detail, name="child"),
    path("children/<int:child_pk>/rounds/<int:round_pk>/apply/", apply.start, name="apply"),
    path("drafts/<int:pk>/discard/", apply.discard, name="discard"),
    path("drafts/<int:pk>/<slug:step>/", apply.step, name="step"),
    path("applications/<int:pk>/", status.detail, name="application"),
    path("applications/<int:pk>/edit/", apply.edit, name="edit"),
    path("applications/<int:pk>/withdraw/", status.withdraw, name="withdraw"),
    path("applications/<int:pk>/confirm/", status.confirm, name="confirm"),
    path("applications/<int:pk>/review/", status.request_review, name="review"),
    path("applications/<int:pk>/notice.pdf", status.notice_pdf, name="notice"),
    path("notice-check/<str:token>/", status.notice_check, name="notice_check"),
]
