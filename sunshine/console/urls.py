from django.urls import include, path

from sunshine.console import (
    admission_views,
    ceremony_views,
    class_views,
    setup_views,
    statistics_views,
    views,
)

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    # Set-up of the year
    path("setup/", setup_views.setup, name="setup"),
    path("setup/rounds/<int:pk>/", setup_views.round_timetable, name="round_timetable"),
    path("setup/schools/", setup_views.schools, name="schools"),
    path("setup/schools/<str:code>/", setup_views.school, name="school"),
    path(
        "setup/schools/<str:code>/rounds/<int:round_pk>/seats/",
        setup_views.seat_plan,
        name="seat_plan",
    ),
    path("setup/zones/", setup_views.zones_import, name="zones"),
    path("setup/zones/template.xlsx", setup_views.zones_template, name="zones_template"),
    # Admission day
    path("admission/", admission_views.admission, name="admission"),
    path("admission/rounds/<int:pk>/preview/", admission_views.preview, name="preview"),
    path(
        "admission/rounds/<int:pk>/supplementary/",
        admission_views.supplementary,
        name="supplementary",
    ),
    path("admission/runs/<int:pk>/", admission_views.run, name="run"),
    path("admission/runs/<int:pk>/commit/", admission_views.commit, name="commit"),
    path("admission/runs/<int:pk>/publish/", admission_views.publish, name="publish"),
    path("admission/runs/<int:pk>/coordinated/", admission_views.coordinated, name="coordinated"),
    path("admission/runs/<int:pk>/refill/", admission_views.refill, name="refill"),
    path("admission/refills/<int:pk>/", admission_views.refill_detail, name="refill_detail"),
    path("admission/refills/<int:pk>/commit/", admission_views.refill_commit, name="refill_commit"),
    path("admission/compare/", admission_views.compare, name="compare"),
    path("admission/notify/", admission_views.notify, name="notify"),
    # Statistics and exports
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path(
        "statistics/<str:table>.<str:fmt>",
        statistics_views.statistics_export,
        name="statistics_export",
    ),
    path("exports/", statistics_views.personal_export, name="exports"),
    # Lottery ceremonies
    path("ceremonies/", include(ceremony_views.urlpatterns)),
    # Classes and the head-teacher draw
    path("classes/", class_views.class_schools, name="classes"),
    path("classes/runs/<int:pk>/", class_views.class_run, name="class_run"),
    path("classes/runs/<int:pk>/freeze/", class_views.freeze, name="class_freeze"),
    path("classes/runs/<int:pk>/draw/", class_views.draw, name="class_draw"),
    path("classes/<str:code>/", class_views.class_school, name="class_school"),
    path("classes/<str:code>/place/", class_views.place, name="class_place"),
    path("classes/<str:code>/teachers/", class_views.teachers, name="class_teachers"),
]
