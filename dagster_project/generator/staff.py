"""The housing staff who initiate, approve and record decisions (staff.csv)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import ids

# One post each: the three managers who may approve discretionary requests (D2), the people
# whose agreement or support some requests need (D3, D4), and an administrator outside housing.
SINGLE_POSTS = (
    ("housing_services_manager", "housing_management"),
    ("homelessness_manager", "housing_options"),
    ("tenancy_sustainment_safeguarding_manager", "housing_management"),
    ("head_of_housing_management", "housing_management"),
    ("managing_director", "executive"),
    ("head_of_service", "executive"),
    ("director", "executive"),
    ("legal_services", "legal"),
    ("legal_services", "legal"),
    ("other", "other"),
)
# Front-line posts grow with the size of the register: (role, team, minimum, applications per post).
SCALED_POSTS = (
    ("housing_options_officer", "housing_options", 4, 40_000),
    ("housing_management_officer", "housing_management", 4, 40_000),
    ("senior_allocations_officer", "allocations", 2, 150_000),
)

APPROVING_MANAGERS = ("housing_services_manager", "homelessness_manager", "tenancy_sustainment_safeguarding_manager")
EXECUTIVES = ("head_of_service", "director", "managing_director")
OFFICERS = ("housing_options_officer", "housing_management_officer")


@dataclass(frozen=True)
class Staff:
    ids: list[str]
    roles: list[str]
    teams: list[str]

    def with_role(self, *roles: str) -> list[str]:
        return [s for s, r in zip(self.ids, self.roles) if r in roles]

    def pick(self, rng: np.random.Generator, *roles: str) -> str:
        candidates = self.with_role(*roles)
        return candidates[int(rng.integers(len(candidates)))]

    def pick_many(self, rng: np.random.Generator, size: int, *roles: str) -> np.ndarray:
        candidates = np.array(self.with_role(*roles))
        return candidates[rng.integers(len(candidates), size=size)]

    def table(self) -> dict:
        return {"staff_id": self.ids, "role": self.roles, "team": self.teams}


def build_staff(applications: int) -> Staff:
    posts = list(SINGLE_POSTS)
    for role, team, minimum, per_post in SCALED_POSTS:
        posts += [(role, team)] * max(minimum, applications // per_post)
    staff_ids = ids.sequence_ids(ids.STAFF, len(posts)).to_pylist()
    return Staff(staff_ids, [r for r, _ in posts], [t for _, t in posts])
