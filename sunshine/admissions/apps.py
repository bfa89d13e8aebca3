from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "sunshine.admissions"
    label = "admissions"
