"""Set-up of the year: districts, schools, catchment zones, rounds and seats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    code = models.CharField(max_length=6, unique=True)  # GB/T 2260 division code
    name = models.CharField(max_length=32)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Compound(models.Model):
    """A residential compound (小区); catchment zones are built from its buildings."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=64)
    aliases = models.JSONField(default=list, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="compounds")
    street = models.CharField(max_length=32)
    community = models.CharField(max_length=32)
    road = models.CharField(max_length=32)
    door_number = models.PositiveIntegerField()
    buildings = models.PositiveIntegerField()
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.name


class SchoolKind(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class Level(models.TextChoices):
    PRIMARY = "primary", _("小学一年级")
    JUNIOR = "junior", _("初中七年级")


class School(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=64)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    kind = models.CharField(max_length=8, choices=SchoolKind.choices)
    level = models.CharField(max_length=8, choices=Level.choices)
    address = models.CharField(max_length=128)
    latitude = models.FloatField()
    longitude = models.FloatField()
    class_size = models.PositiveIntegerField(default=45)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ZoneUnit(models.Model):
    """Buildings ``building_from``..``building_to`` of a compound belong to a school's zone."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="zone_units")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="zone_units")
    building_from = models.PositiveIntegerField()
    building_to = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="zone_unit_range_ordered",
                condition=models.Q(building_from__lte=models.F("building_to")),
            )
        ]


class GazetteerStamp(models.Model):
    """One row whose stamp database triggers renew, with a random value, on every change
    to the tables behind the city map: compounds, districts, schools and zone units.

    A process holding the map reads this one row to know whether the map is still the
    city's; triggers see every change, whether made by an import, the admin or a bulk
    update (see the migration that installs them).
    """

    stamp = models.CharField(max_length=32)


class Term(models.Model):
    """One enrollment year, with the category policy that governs it."""

    year = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=32)
    reference_date = models.DateField(help_text="Date on which facts are judged")
    policy_toml = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class RoundKind(models.TextChoices):
    MAIN = "main", _("正式报名")
    SUPPLEMENTARY = "supplementary", _("补报名")


class Round(models.Model):
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(max_length=16, choices=RoundKind.choices)
    level = models.CharField(max_length=8, choices=Level.choices)
    registration_opens = models.DateTimeField()
    registration_closes = models.DateTimeField()
    verification_ends = models.DateTimeField()
    lottery_on = models.DateTimeField()
    results_on = models.DateTimeField()
    allows_private_choice = models.BooleanField(default=True)

    class Meta:
        ordering = ["term", "level", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["term", "kind", "level"], name="one_round_per_kind"),
            models.CheckConstraint(
                name="round_dates_in_order",
                condition=models.Q(registration_opens__lt=models.F("registration_closes"))
                & models.Q(registration_closes__lte=models.F("verification_ends"))
                & models.Q(verification_ends__lte=models.F("lottery_on"))
                & models.Q(lottery_on__lte=models.F("results_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.get_level_display()} {self.get_kind_display()}"


class SeatPlan(models.Model):
    """Seats a school offers in a round; ``reserved`` maps quota names to seats."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="seat_plans")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="seat_plans")
    seats = models.PositiveIntegerField()
    reserved = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "round"], name="one_seat_plan_per_round")
        ]
