from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sunshine.audit"
    label = "audit"
