from django.urls import path

from sunshine.public import views

app_name = "public"
urlpatterns = [
    path("schools/", views.schools, name="schools"),
    path("lotteries/", views.lotteries, name="lotteries"),
    path("lotteries/<str:reference>/", views.lottery_detail, name="lottery"),
    path("lotteries/<str:reference>/record.json", views.lottery_record, name="lottery_record"),
    path("results/", views.results, name="results"),
    path("statistics/", views.statistics, name="statistics"),
    path("audit/", views.audit, name="audit"),
]
