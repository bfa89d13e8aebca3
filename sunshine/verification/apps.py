from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "sunshine.verification"
    label = "verification"
