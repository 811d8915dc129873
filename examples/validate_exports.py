"""A single authority's analyst: from local case-system exports to a validated dataset.

1. Local exports carry case-system ids, which are identifiers: peermap refuses them.
2. Pseudonymise the ids with the partnership key, so neighbours derive the same pseudonyms;
   free-text notes holding a date of birth or a home address are refused too.
3. Read leniently: good rows in, bad rows set aside in the report with their reasons.

Run: ``python examples/validate_exports.py [OUTPUT_FOLDER]``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import peermap

people = pd.DataFrame(
    {
        "nhs_number": ["9434765919", "4010232137", "9876543210", "4505577104"],
        "home_authority": ["E09000007", "E09000019", "E09000007", "E09000012"],
        "age": ["14", "15", "fifteen", "16"],
        "looked_after": ["no", "yes", "no", "no"],
    }
)
places = pd.DataFrame(
    {
        "place_id": ["H1", "P1"],
        "kind": ["Hotel", "park"],
        "lon": ["-0.1235", "-0.1050"],
        "lat": ["51.5308", "51.5450"],
    }
)
ties = pd.DataFrame(
    {
        "person_a": ["9434765919", "9434765919"],
        "person_b": ["4010232137", "9876543210"],
        "kind": ["friend", "associate"],
        "first_seen": ["2024-03-01", "14/03/2024"],
        "source": ["school", "police"],
        "reliability": ["confirmed", "reported"],
    }
)

# 1. Refused: the NHS numbers are direct identifiers (the values are never echoed).
try:
    peermap.read_dataset(
        {"people": people.rename(columns={"nhs_number": "person_id"}), "places": places}
    )
except peermap.PrivacyError as err:
    print("refused:", str(err).splitlines()[1].strip())

# 2. Pseudonymise with the partnership key (normally from PEERMAP_KEY or a key file).
key = peermap.load_key(peermap.generate_key())
people = peermap.pseudonymise(people, ["nhs_number"], key=key).rename(
    columns={"nhs_number": "person_id"}
)
ties = peermap.pseudonymise(ties, ["person_a", "person_b"], key=key)
print("key fingerprint (safe to share):", key.fingerprint)

# 2b. Free text is read too: a date of birth or a home address in a note is refused
# (the note is never echoed). Share only what the analysis needs: drop the notes.
noted = ties.assign(notes=["met at school", "DOB 03/02/2010, staying at 14 Elm Grove"])
try:
    peermap.read_dataset({"people": people, "places": places, "ties": noted})
except peermap.PrivacyError as err:
    print("refused:", str(err).splitlines()[1].strip())

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)
for name, frame in {"people": people, "places": places, "ties": ties}.items():
    frame.to_csv(out / f"{name}.csv", index=False)

# 3. Read leniently and look at what was set aside.
ds = peermap.read_dataset(out, strict=False)
print(ds.summary())
print(ds.report)
print(ds.report.rejected["ties"][["kind", "rejected_because"]])
