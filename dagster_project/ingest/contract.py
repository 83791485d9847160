"""The register extract contract (shared/spec/register-extract.md) as data.

One `FileSpec` per extract file: its columns with their types and code sets, its key, and the
files it references. Ingestion validates every row against this and the raw tables are
created from it, so the contract is written down once.
"""
from __future__ import annotations

from dataclasses import dataclass

# Column types of the contract and the DuckDB type each loads as.
SQL_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "integer": "INTEGER",
    "money": "DECIMAL(14,2)",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = False
    codes: tuple[str, ...] = ()
    # A further row check as (SQL condition that is true when the cell is wrong, reason).
    # The condition sees the typed value as `v`.
    check: tuple[str, str] | None = None
    # False stores the raw column uncompressed. For ids that are nearly all different within a
    # row group DuckDB's dictionary saves little space, and building it was most of the time spent
    # writing the 13-million-row bids table (about half for household members and needs).
    compress: bool = True
    # An optional column (register-extract.md) may be absent from the file: it then loads as NULL
    # in every row. When present, it is checked like any other (it is also nullable).
    optional: bool = False


@dataclass(frozen=True)
class Reference:
    """Each non-empty value of `columns` must match a loaded row of `target` on `target_columns`."""

    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool = True
    key: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    # Conditional requirements: (SQL condition true when the row is wrong, reason), on typed columns.
    row_checks: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _codes(*codes: str) -> tuple[str, ...]:
    return codes


TENURES = _codes(
    "private_rented", "council_tenant", "housing_association_tenant", "owner_occupier",
    "living_with_family", "temporary_accommodation", "supported_housing", "no_fixed_abode", "other",
)
NEED_CODES = _codes(
    "demolition_regeneration", "statutory_overcrowding", "violence_or_harassment", "medical_urgent",
    "homelessness_prevention_duty", "homelessness_relief_duty", "move_on", "welfare_need",
    "medical_significant", "medical_low", "sharing_facilities", "two_for_one",
    "adapted_property_release", "housing_management",
)
# Equality monitoring (optional columns of household_members): the 2021 Census ethnic groups
# for England, as codes.
ETHNIC_GROUPS = _codes(
    "white_british", "white_irish", "white_gypsy_or_irish_traveller", "white_roma", "white_other",
    "mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian", "mixed_other",
    "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese", "asian_other",
    "black_african", "black_caribbean", "black_other", "other_arab", "other_any", "prefer_not_to_say",
)
STAFF_ROLES = _codes(
    "housing_services_manager", "homelessness_manager", "tenancy_sustainment_safeguarding_manager",
    "head_of_housing_management", "managing_director", "head_of_service", "director",
    "senior_allocations_officer", "housing_management_officer", "housing_options_officer",
    "legal_services", "other",
)

APP_REF = Reference(("application_ref",), "applications", ("application_ref",))
ADVERT_REF = Reference(("advert_id",), "adverts", ("advert_id",))
REQUEST_REF = Reference(("request_id",), "discretionary_requests", ("request_id",))

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "applications",
        (
            Column("application_ref", "text", compress=False),
            Column("application_type", "code", codes=("register", "transfer")),
            Column("status", "code", codes=("active", "cancelled", "housed")),
            Column("registration_date", "date"),
            Column("current_tenure", "code", codes=TENURES),
            Column("landlord_in_district", "boolean", nullable=True),
            Column("local_connection", "code", codes=("yes", "no", "exempt")),
            Column("current_bedrooms", "integer", nullable=True),
            Column("current_floor_level", "integer", nullable=True),
            Column("current_home_high_demand", "boolean", nullable=True),
            Column("gross_annual_income", "money"),
            Column("savings_assets", "money"),
            Column("homelessness_decision", "code", nullable=True,
                   codes=("unintentionally_homeless", "intentionally_homeless", "not_homeless")),
            Column("last_homechoice_tenancy_start", "date", nullable=True),
        ),
        key=("application_ref",),
    ),
    FileSpec(
        "household_members",
        (
            Column("application_ref", "text", compress=False),
            Column("member_id", "text", compress=False),
            Column("relationship", "code", codes=(
                "applicant", "joint_applicant", "partner", "child", "other_relative",
                "other_adult", "foster_child", "former_forces_partner")),
            Column("date_of_birth", "date"),
            Column("sex", "code", codes=("female", "male")),
            Column("months_lived_with_while_serving", "integer", nullable=True),
            Column("ethnic_group", "code", nullable=True, optional=True, codes=ETHNIC_GROUPS),
            Column("disability", "boolean", nullable=True, optional=True),
        ),
        key=("application_ref", "member_id"),
        references=(APP_REF,),
    ),
    FileSpec(
        "fostering_adoption_approvals",
        (
            Column("approval_id", "text"),
            Column("application_ref", "text"),
            Column("approved_on", "date"),
            Column("kind", "code", codes=("fostering", "adoption")),
            Column("additional_bedrooms", "integer"),
            Column("evidence_verified", "boolean"),
        ),
        required=False,
        key=("approval_id",),
        references=(APP_REF,),
    ),
    FileSpec(
        "assessed_needs",
        (
            Column("need_id", "text", compress=False),
            Column("application_ref", "text", compress=False),
            Column("need_code", "code", codes=NEED_CODES),
            Column("assessed_on", "date"),
            Column("ends_on", "date", nullable=True),
            Column("severity", "code", nullable=True, codes=("serious", "less_serious")),
            Column("supporting_agency", "code", nullable=True,
                   codes=("police", "mappa", "marac", "national_witness_support", "other")),
        ),
        key=("need_id",),
        references=(APP_REF,),
    ),
    FileSpec(
        "debts",
        (
            Column("debt_id", "text"),
            Column("application_ref", "text"),
            Column("creditor_type", "code", codes=(
                "council", "housing_association", "private_landlord", "building_society", "bank",
                "other_lender", "utility", "other")),
            Column("debt_type", "code", codes=(
                "rent_arrears", "mortgage_arrears", "rechargeable_repairs", "housing_court_costs",
                "council_tax", "other")),
            Column("original_amount", "money"),
            Column("balance", "money"),
            Column("balance_at_application", "money", nullable=True),
            Column("resulted_in_eviction", "boolean"),
            Column("eviction_date", "date", nullable=True),
            Column("arrangement_kept_at_application", "boolean", nullable=True),
        ),
        required=False,
        key=("debt_id",),
        references=(APP_REF,),
        row_checks=(("resulted_in_eviction and eviction_date is null",
                     "eviction_date is empty but resulted_in_eviction is true"),),
    ),
    FileSpec(
        "arrangement_payments",
        (
            Column("arrangement_id", "text"),
            Column("application_ref", "text"),
            Column("week_starting", "date", check=("isodow(v) <> 1", "is not a Monday")),
            Column("amount_due", "money"),
            Column("amount_paid", "money"),
        ),
        required=False,
        key=("arrangement_id", "week_starting"),
        references=(APP_REF,),
    ),
    FileSpec(
        "behaviour_findings",
        (
            Column("finding_id", "text"),
            Column("application_ref", "text"),
            Column("finding_type", "code", codes=(
                "antisocial_behaviour", "violence_towards_staff", "tenancy_fraud",
                "criminal_behaviour", "other")),
            Column("behaviour_date", "date"),
            Column("decided_on", "date"),
            Column("extended_until", "date", nullable=True),
        ),
        required=False,
        key=("finding_id",),
        references=(APP_REF,),
    ),
    FileSpec(
        "adverts",
        (
            Column("advert_id", "text"),
            Column("property_ref", "text"),
            Column("landlord_type", "code", codes=("council", "registered_provider")),
            Column("property_type", "code", codes=("flat", "maisonette", "house", "bungalow")),
            Column("bedrooms", "integer"),
            Column("floor_level", "integer"),
            Column("advertised_band", "code", nullable=True,
                   codes=("transfer", "band_one", "band_two", "band_three")),
            Column("min_age", "integer", nullable=True),
            Column("opens_on", "date"),
            Column("closes_on", "date"),
        ),
        key=("advert_id",),
        row_checks=(
            ("advertised_band is null and min_age is null",
             "advertised_band is empty on an advert that is not age-designated (min_age is empty)"),
            ("closes_on < opens_on", "closes_on is before opens_on"),
        ),
    ),
    FileSpec(
        "bids",
        (
            Column("bid_id", "text", compress=False),
            Column("advert_id", "text"),
            Column("application_ref", "text", compress=False),
            Column("placed_at", "timestamp"),
            Column("status", "code", codes=("active", "withdrawn")),
        ),
        key=("bid_id",),
        references=(ADVERT_REF, APP_REF),
    ),
    FileSpec(
        "offers",
        (
            Column("offer_id", "text"),
            Column("advert_id", "text", nullable=True),
            Column("property_ref", "text"),
            Column("application_ref", "text"),
            Column("offered_on", "date"),
            Column("outcome", "code", codes=("pending", "accepted", "refused", "withdrawn")),
            Column("outcome_on", "date", nullable=True),
            Column("deemed_suitable", "boolean", nullable=True),
            Column("discretionary_request_id", "text", nullable=True),
        ),
        required=False,
        key=("offer_id",),
        references=(
            APP_REF,
            ADVERT_REF,
            Reference(("discretionary_request_id",), "discretionary_requests", ("request_id",)),
        ),
    ),
    FileSpec(
        "shortlist_bypasses",
        (
            Column("advert_id", "text"),
            Column("application_ref", "text"),
            Column("reason", "text"),
            Column("recorded_by", "text"),
            Column("recorded_on", "date"),
        ),
        required=False,
        references=(ADVERT_REF, APP_REF),
    ),
    FileSpec(
        "policy_exceptions",
        (
            Column("exception_id", "text"),
            Column("application_ref", "text"),
            Column("rule", "code", codes=("financial_resources", "housing_debt", "twelve_month_rule", "refusals")),
            Column("granted_by", "text"),
            Column("granted_on", "date"),
            Column("expires_on", "date", nullable=True),
            Column("reason", "text"),
        ),
        required=False,
        key=("exception_id",),
        references=(APP_REF,),
    ),
    FileSpec(
        "staff",
        (
            Column("staff_id", "text"),
            Column("role", "code", codes=STAFF_ROLES),
            Column("team", "code", codes=(
                "housing_management", "housing_options", "allocations", "legal", "executive", "other")),
        ),
        required=False,  # required when a discretionary file is present: checked by the loader
        key=("staff_id",),
    ),
    FileSpec(
        "discretionary_requests",
        (
            Column("request_id", "text"),
            Column("application_ref", "text"),
            Column("initiated_by", "text"),
            Column("initiated_on", "date"),
            Column("reason", "code", codes=(
                "sustainable_communities", "council_initiative", "recent_traumatic_event",
                "serious_risk_of_harm", "tenancy_unsustainable", "arrears_cleared_after_eviction", "other")),
            Column("related_party", "code", codes=("none", "staff", "staff_relative", "board_member", "councillor")),
            Column("exceptional_circumstances", "boolean"),
            Column("property_landlord_type", "code", nullable=True, codes=("council", "registered_provider")),
        ),
        required=False,
        key=("request_id",),
        references=(APP_REF,),
    ),
    FileSpec(
        "discretionary_events",
        (
            Column("event_id", "text"),
            Column("request_id", "text"),
            Column("event_type", "code", codes=(
                "approved", "rejected", "withdrawn", "head_of_housing_management_agreed", "managing_director_informed",
                "legal_services_supported", "appeal_received", "appeal_reviewed")),
            Column("event_on", "date"),
            Column("staff_id", "text", nullable=True),
        ),
        required=False,
        key=("event_id",),
        references=(REQUEST_REF,),
    ),
)

FILES_BY_NAME = {f.name: f for f in FILES}

# staff.csv is required when any of these is present.
DISCRETIONARY_FILES = ("discretionary_requests", "discretionary_events")

# Staff ids (initiated_by, events' staff_id, granted_by, recorded_by) are deliberately not checked
# as references: an unknown approver is an audit finding (D2), not a row to drop, and an
# exception or bypass recorded by someone missing from staff.csv is still a recorded fact.

# Order in which files are validated: a file's references are loaded before it.
LOAD_ORDER = (
    "applications", "household_members", "fostering_adoption_approvals", "assessed_needs", "debts",
    "arrangement_payments", "behaviour_findings", "policy_exceptions", "adverts", "bids",
    "staff", "discretionary_requests", "discretionary_events", "offers", "shortlist_bypasses",
)
assert sorted(LOAD_ORDER) == sorted(FILES_BY_NAME), "every file has a place in the load order"

# An application is loaded only with exactly one `applicant` member (register-extract.md).
APPLICANT_RELATIONSHIP = "applicant"


def raw_table_ddl(spec: FileSpec) -> str:
    """CREATE TABLE statement of the typed raw table for one file (schema `raw`)."""
    cols = ",\n    ".join(f"{c.name} {SQL_TYPES[c.type]}" + ("" if c.compress else " USING COMPRESSION uncompressed")
                           for c in spec.columns)
    return f"CREATE TABLE raw.{spec.name} (\n    {cols},\n    source_line BIGINT\n)"

