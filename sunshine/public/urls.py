from django.urls import include, path

from sunshine.public import ceremony_views, views

app_name = "public"
urlpatterns = [
    path("timetable/", views.timetable, name="timetable"),
    path("schools/", views.schools, name="schools"),
    path("lotteries/", views.lotteries, name="lotteries"),
    path("lotteries/how-to-verify/", views.verify_guide, name="verify"),
    path("lotteries/<str:reference>/", views.lottery_detail, name="lottery"),
    path("lotteries/<str:reference>/record.json", views.lottery_record, name="lottery_record"),
    path("ceremonies/", include(ceremony_views.urlpatterns)),
    path("results/", views.results, name="results"),
    path("statistics/", views.statistics, name="statistics"),
    path("audit/", views.audit, name="audit"),
]
