from django.urls import path

from sunshine.verification import views

app_name = "verification"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("documents/<str:token>/", views.document, name="document"),
    path("terms/<int:pk>/policy/", views.policy, name="policy"),
    path("family/<str:reference>/", views.family, name="family"),
]
