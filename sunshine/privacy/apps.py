from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "sunshine.privacy"
    label = "privacy"
