"""The optional equality-monitoring columns of household_members (register-extract.md): ethnic
group and disability of each member, drawn in roughly the proportions of the 2021 Census for
England, with some declined or left unrecorded. A stream of their own, so adding them changed
no other generated value."""
from __future__ import annotations

import numpy as np

from .sampling import chance, choose, labels, masked

# Census 2021, England: ethnic group of usual residents (per cent, rounded), with an answer of
# `prefer_not_to_say` beside them as a monitoring form allows.
ETHNIC_GROUP_SHARES = {
    "white_british": 73.5, "white_irish": 0.9, "white_gypsy_or_irish_traveller": 0.1, "white_roma": 0.2,
    "white_other": 6.4, "mixed_white_black_caribbean": 0.9, "mixed_white_black_african": 0.4,
    "mixed_white_asian": 0.8, "mixed_other": 0.8, "asian_indian": 3.3, "asian_pakistani": 2.8,
    "asian_bangladeshi": 1.1, "asian_chinese": 0.8, "asian_other": 1.7, "black_african": 2.6,
    "black_caribbean": 1.1, "black_other": 0.5, "other_arab": 0.6, "other_any": 1.6, "prefer_not_to_say": 3.0,
}
# Census 2021, England: 17.7% of residents disabled under the Equality Act 2010.
DISABLED_SHARE = 0.177
# Members for whom the council's system holds no answer (an empty cell).
NOT_RECORDED_SHARE = 0.05


def equality_columns(rng: np.random.Generator, members: int) -> dict:
    """{ethnic_group, disability} columns for `members` member rows."""
    ethnic = choose(rng, ETHNIC_GROUP_SHARES, members)
    ethnic[chance(rng, NOT_RECORDED_SHARE, members)] = -1
    disabled = chance(rng, DISABLED_SHARE, members)
    return {
        "ethnic_group": labels(list(ETHNIC_GROUP_SHARES), ethnic),
        "disability": masked(disabled, chance(rng, NOT_RECORDED_SHARE, members)),
    }
