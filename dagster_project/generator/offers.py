"""Offers of homes (offers.csv), from lettings of adverts and from discretionary requests alike."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import ids
from .sampling import labels, masked

OUTCOMES = ("pending", "accepted", "refused", "withdrawn")
PENDING, ACCEPTED, REFUSED, WITHDRAWN = range(4)


@dataclass
class OfferRows:
    advert: np.ndarray  # -1 for a direct offer outside adverts
    property_ref: pa.Array
    app: np.ndarray
    offered_on: np.ndarray
    outcome: np.ndarray
    outcome_on: np.ndarray  # NaT while pending
    deemed_suitable: np.ndarray  # -1 empty, 0 false, 1 true
    request: np.ndarray  # -1 unless a discretionary offer

    def __len__(self) -> int:
        return len(self.app)

    def subset(self, rows: np.ndarray) -> "OfferRows":
        return OfferRows(self.advert[rows], self.property_ref.take(pa.array(rows)), self.app[rows], self.offered_on[rows],
                         self.outcome[rows], self.outcome_on[rows], self.deemed_suitable[rows], self.request[rows])

    @staticmethod
    def empty() -> "OfferRows":
        none = np.array([], dtype=np.int64)
        return OfferRows(none, pa.array([], pa.large_string()), none, np.array([], dtype="datetime64[D]"), none,
                         np.array([], dtype="datetime64[D]"), none, none)

    @staticmethod
    def concat(parts: list["OfferRows"]) -> "OfferRows":
        return OfferRows(
            np.concatenate([p.advert for p in parts]),
            pa.concat_arrays([p.property_ref.cast(pa.large_string()) for p in parts]),
            np.concatenate([p.app for p in parts]),
            np.concatenate([p.offered_on for p in parts]),
            np.concatenate([p.outcome for p in parts]),
            np.concatenate([p.outcome_on for p in parts]),
            np.concatenate([p.deemed_suitable for p in parts]),
            np.concatenate([p.request for p in parts]),
        )

    def table(self) -> dict:
        # Offer ids run in the order offers were made.
        rows = np.argsort(self.offered_on, kind="stable")
        o = self.subset(rows)
        return {
            "offer_id": ids.sequence_ids(ids.OFFER, len(o)),
            "advert_id": ids.by_index(ids.ADVERT, o.advert),
            "property_ref": o.property_ref,
            "application_ref": ids.by_index(ids.APPLICATION, o.app),
            "offered_on": o.offered_on,
            "outcome": labels(OUTCOMES, o.outcome),
            "outcome_on": o.outcome_on,
            "deemed_suitable": masked(o.deemed_suitable == 1, o.deemed_suitable < 0),
            "discretionary_request_id": ids.by_index(ids.REQUEST, o.request),
        }
