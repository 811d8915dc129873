"""Tests for peermap.privacy: identifier refusal, partnership keys and pseudonyms."""

from __future__ import annotations

import base64
import copy
import hmac
import pickle
import re
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import examples
from peermap import settings as peermap_settings
from peermap.exceptions import KeyMaterialError, PrivacyError, ValidationError
from peermap.privacy import (
    IDENTIFIER_RULES,
    PSEUDONYM_PATTERN,
    IdentifierFinding,
    PartnershipKey,
    find_identifiers,
    generate_key,
    is_pseudonym,
    key_fingerprint,
    load_key,
    pseudonym,
    pseudonymise,
    refuse_identifiers,
)

FIXTURES = Path(__file__).resolve().parent / "data" / "privacy"

RAW = bytes(range(32))  # a fixed 256-bit test key
RAW_HEX = RAW.hex()
OTHER_RAW = bytes(range(100, 132))
PSEUDONYM_RE = re.compile(r"^pm[a-z2-7]{16}$")
FINGERPRINT_RE = re.compile(r"^pmk1-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$")


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(peermap_settings.key_env, raising=False)
    monkeypatch.delenv(peermap_settings.key_file_env, raising=False)


def nhs_number(first_nine: str) -> str | None:
    """Append the NHS mod-11 check digit, or None when the number cannot be valid."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else first_nine + str(check)


def frame_of(column: str, values: Sequence[object], *, start: int = 2) -> pd.DataFrame:
    return pd.DataFrame({column: list(values)}, index=range(start, start + len(values)))


def read_fixture(name: str) -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / name, dtype=str, keep_default_na=False)
    frame.index = frame.index + 2  # the line numbers a user sees (header is line 1)
    return frame


def summary(findings: list[IdentifierFinding]) -> set[tuple[str, str, str, tuple[object, ...]]]:
    return {(f.column, f.rule, f.kind, f.rows) for f in findings}


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------


class TestLoadKey:
    def test_hex_string_is_the_raw_bytes(self) -> None:
        assert load_key(RAW_HEX) == PartnershipKey(RAW)
        assert load_key(RAW_HEX.upper()) == PartnershipKey(RAW)

    def test_surrounding_whitespace_ignored(self) -> None:
        assert load_key(f"  {RAW_HEX}\n") == PartnershipKey(RAW)

    @pytest.mark.parametrize(
        "encode",
        [
            base64.b64encode,
            base64.urlsafe_b64encode,
            lambda raw: base64.b64encode(raw).rstrip(b"="),
            lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"="),
        ],
        ids=["standard", "urlsafe", "standard-unpadded", "urlsafe-unpadded"],
    )
    def test_base64_forms_give_the_same_key(self, encode: Callable[[bytes], bytes]) -> None:
        raw = bytes([0xFB, 0xFF, 0xBF] * 11)  # encodes to + and / (or - and _)
        text = encode(raw).decode()
        assert load_key(text) == PartnershipKey(raw)

    def test_all_hex_digit_string_is_read_as_hex(self) -> None:
        # 32 hex digits are also valid base64; the rule says hex wins.
        text = "ab" * 16
        assert load_key(text) == PartnershipKey(bytes.fromhex(text))

    def test_odd_number_of_hex_digits_refused(self) -> None:
        with pytest.raises(KeyMaterialError, match="odd number"):
            load_key(RAW_HEX[:-1])

    def test_non_canonical_base64_refused(self) -> None:
        good = base64.b64encode(b"\xff" * 20).decode().rstrip("=")  # 27 characters, ends "w"
        assert load_key(good) == PartnershipKey(b"\xff" * 20)
        bad = good[:-1] + "x"  # sets bits that the encoding never uses
        with pytest.raises(KeyMaterialError, match="neither hex nor base64"):
            load_key(bad)

    def test_bytes_and_partnership_key(self) -> None:
        key = load_key(RAW)
        assert load_key(key) is key
        assert load_key(bytearray(RAW)) == key

    def test_from_environment_variable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PEERMAP_KEY", RAW_HEX)
        assert load_key() == PartnershipKey(RAW)

    def test_from_file_argument(self, tmp_path: Path) -> None:
        path = tmp_path / "partnership.key"
        path.write_text(f"{RAW_HEX}\n", encoding="utf-8")
        assert load_key(file=path) == PartnershipKey(RAW)
        assert load_key(file=str(path)) == PartnershipKey(RAW)

    def test_file_written_by_notepad_with_bom(self, tmp_path: Path) -> None:
        path = tmp_path / "partnership.key"
        path.write_bytes(b"\xef\xbb\xbf" + base64.b64encode(RAW) + b"\r\n")
        assert load_key(file=path) == PartnershipKey(RAW)

    def test_from_file_named_in_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "partnership.key"
        path.write_text(RAW_HEX, encoding="utf-8")
        monkeypatch.setenv("PEERMAP_KEY_FILE", str(path))
        assert load_key() == PartnershipKey(RAW)

    def test_environment_key_comes_before_key_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "partnership.key"
        path.write_text(OTHER_RAW.hex(), encoding="utf-8")
        monkeypatch.setenv("PEERMAP_KEY_FILE", str(path))
        monkeypatch.setenv("PEERMAP_KEY", RAW_HEX)
        assert load_key() == PartnershipKey(RAW)

    def test_empty_environment_key_falls_back_to_key_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "partnership.key"
        path.write_text(RAW_HEX, encoding="utf-8")
        monkeypatch.setenv("PEERMAP_KEY", "  ")
        monkeypatch.setenv("PEERMAP_KEY_FILE", str(path))
        assert load_key() == PartnershipKey(RAW)

    def test_environment_variable_names_come_from_settings(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(peermap_settings, "key_env", "OUR_PARTNERSHIP_KEY")
        monkeypatch.setenv("OUR_PARTNERSHIP_KEY", RAW_HEX)
        assert load_key() == PartnershipKey(RAW)

    def test_missing_everywhere_names_the_three_ways(self) -> None:
        with pytest.raises(KeyMaterialError) as info:
            load_key()
        message = str(info.value)
        assert "key=" in message
        assert "PEERMAP_KEY " in message or "PEERMAP_KEY," in message
        assert "PEERMAP_KEY_FILE" in message
        assert "generate_key" in message

    def test_missing_key_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = tmp_path / "nowhere.key"
        monkeypatch.setenv("PEERMAP_KEY_FILE", str(path))
        with pytest.raises(KeyMaterialError, match="does not exist") as info:
            load_key()
        assert str(path) in str(info.value)
        assert "PEERMAP_KEY_FILE" in str(info.value)

    def test_binary_file_refused_without_echoing_it(self, tmp_path: Path) -> None:
        path = tmp_path / "partnership.key"
        path.write_bytes(b"\xff\xfe" + RAW)
        with pytest.raises(KeyMaterialError, match="not a text file") as info:
            load_key(file=path)
        assert info.value.__cause__ is None
        assert info.value.__suppress_context__

    def test_large_file_is_not_a_key_file(self, tmp_path: Path) -> None:
        path = tmp_path / "people.csv"
        path.write_text("person_id\n" + "p001\n" * 2000, encoding="utf-8")
        with pytest.raises(KeyMaterialError, match="not a key file"):
            load_key(file=path)

    def test_key_and_file_together_refused(self, tmp_path: Path) -> None:
        with pytest.raises(KeyMaterialError, match="not both"):
            load_key(RAW_HEX, file=tmp_path / "k")

    def test_wrong_type_refused(self) -> None:
        with pytest.raises(TypeError, match="int"):
            load_key(12345)  # type: ignore[arg-type]


class TestShortKeys:
    def test_short_hex_string(self) -> None:
        short = "a1" * 15  # 120 bits
        with pytest.raises(KeyMaterialError) as info:
            load_key(short)
        message = str(info.value)
        assert "120 bits" in message
        assert "128 bits" in message
        assert short not in message

    def test_short_bytes(self) -> None:
        with pytest.raises(KeyMaterialError, match="64 bits"):
            load_key(b"\x01" * 8)
        with pytest.raises(KeyMaterialError, match="64 bits"):
            PartnershipKey(b"\x01" * 8)

    def test_short_key_in_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        short = base64.b64encode(b"\x07" * 12).decode()
        monkeypatch.setenv("PEERMAP_KEY", short)
        with pytest.raises(KeyMaterialError) as info:
            load_key()
        assert "96 bits" in str(info.value)
        assert "PEERMAP_KEY" in str(info.value)
        assert short not in str(info.value)

    def test_short_key_in_file(self, tmp_path: Path) -> None:
        path = tmp_path / "partnership.key"
        short = "0f" * 8
        path.write_text(short, encoding="utf-8")
        with pytest.raises(KeyMaterialError) as info:
            load_key(file=path)
        assert "64 bits" in str(info.value)
        assert str(path) in str(info.value)
        assert short not in str(info.value)

    def test_minimum_follows_settings(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(peermap_settings, "min_key_bits", 256)
        with pytest.raises(KeyMaterialError, match=r"192 bits.*256 bits"):
            load_key(bytes(24))
        assert load_key(RAW) == PartnershipKey(RAW)


class TestPassphrases:
    @pytest.mark.parametrize(
        "passphrase",
        [
            "correct horse battery staple",
            "Hackney&Islington-Partnership-2024!",
            "our partnership secret, do not share",
            "correcthorsebatterystaple",  # letters only, but not valid base64 (25 chars)
        ],
    )
    def test_refused_with_how_to_generate(self, passphrase: str) -> None:
        with pytest.raises(KeyMaterialError) as info:
            load_key(passphrase)
        message = str(info.value)
        assert "passphrase" in message
        assert "generate_key" in message
        assert passphrase not in message


class TestKeySecrecy:
    def test_repr_str_and_format_show_only_the_fingerprint(self) -> None:
        key = load_key(RAW)
        for shown in (repr(key), str(key), f"{key}", f"{key!r}", repr([key])):
            assert key.fingerprint in shown
            assert RAW_HEX not in shown
            assert RAW_HEX.upper() not in shown
            assert base64.b64encode(RAW).decode().rstrip("=") not in shown
            assert repr(RAW) not in shown

    def test_cannot_be_pickled(self) -> None:
        key = load_key(RAW)
        for obj in (key, {"settings": [key]}):
            with pytest.raises(TypeError, match="cannot be pickled") as info:
                pickle.dumps(obj)
            assert RAW_HEX not in str(info.value)
        with pytest.raises(TypeError):
            key.__getstate__()

    def test_in_memory_copies_are_the_same_key(self) -> None:
        key = load_key(RAW)
        assert copy.copy(key) is key
        assert copy.deepcopy({"key": key})["key"] is key

    def test_immutable(self) -> None:
        key = load_key(RAW)
        with pytest.raises(AttributeError):
            key._secret = OTHER_RAW  # type: ignore[misc]
        with pytest.raises(AttributeError):
            del key._fingerprint
        assert key == PartnershipKey(RAW)

    def test_equality_and_hashing(self) -> None:
        assert load_key(RAW) == load_key(RAW_HEX)
        assert load_key(RAW) != load_key(OTHER_RAW)
        assert load_key(RAW) != RAW  # a key is not equal to its bytes
        assert len({load_key(RAW), load_key(RAW_HEX), load_key(OTHER_RAW)}) == 2

    def test_digest_is_hmac_sha256_keyed_with_the_secret(self) -> None:
        key = load_key(RAW)
        assert key.digest(b"peermap") == hmac.digest(RAW, b"peermap", "sha256")
        fingerprint_input = b"peermap key fingerprint v1"
        body = base64.b32encode(key.digest(fingerprint_input)[:10]).decode().lower()[:12]
        assert key.fingerprint == f"pmk1-{body[:4]}-{body[4:8]}-{body[8:]}"

    def test_error_messages_never_contain_the_key(self, tmp_path: Path) -> None:
        secret_like = "key:" + RAW_HEX  # a would-be key that is neither hex nor base64
        path = tmp_path / "partnership.key"
        path.write_text(secret_like, encoding="utf-8")
        for attempt in (lambda: load_key(secret_like), lambda: load_key(file=path)):
            with pytest.raises(KeyMaterialError) as info:
                attempt()
            assert RAW_HEX not in str(info.value)
            assert info.value.__cause__ is None


class TestGenerateKeyAndFingerprint:
    def test_generate_key_is_loadable_256_bit_hex(self) -> None:
        text = generate_key()
        assert re.fullmatch(r"[0-9a-f]{64}", text)
        assert load_key(text) == PartnershipKey(bytes.fromhex(text))
        assert generate_key() != text

    def test_fingerprint_format_and_known_value(self) -> None:
        # Pinned: a fingerprint must not change between peermap versions.
        assert key_fingerprint(RAW) == "pmk1-e6lz-6wss-xlhi"
        assert FINGERPRINT_RE.match(key_fingerprint(generate_key()))

    def test_fingerprint_is_hmac_of_the_fixed_label(self) -> None:
        digest = hmac.digest(RAW, b"peermap key fingerprint v1", "sha256")
        body = base64.b32encode(digest[:10]).decode().lower()[:12]
        assert key_fingerprint(RAW) == f"pmk1-{body[:4]}-{body[4:8]}-{body[8:]}"

    def test_same_key_in_any_form_has_the_same_fingerprint(self, tmp_path: Path) -> None:
        path = tmp_path / "k"
        path.write_text(base64.urlsafe_b64encode(RAW).decode(), encoding="utf-8")
        fingerprints = {
            key_fingerprint(RAW),
            key_fingerprint(RAW_HEX),
            key_fingerprint(base64.b64encode(RAW).decode()),
            key_fingerprint(load_key(RAW)),
            key_fingerprint(file=path),
            load_key(RAW).fingerprint,
        }
        assert len(fingerprints) == 1

    def test_fingerprint_differs_between_keys(self) -> None:
        assert key_fingerprint(RAW) != key_fingerprint(OTHER_RAW)

    def test_fingerprint_does_not_contain_the_key(self) -> None:
        for raw in (RAW, OTHER_RAW, bytes(32)):
            fingerprint = key_fingerprint(raw)
            compact = fingerprint.replace("-", "")
            assert raw.hex()[:8] not in compact
            assert base64.b32encode(raw).decode().lower()[:8] not in compact

    def test_fingerprint_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PEERMAP_KEY", RAW_HEX)
        assert key_fingerprint() == key_fingerprint(RAW)


# ---------------------------------------------------------------------------
# Pseudonyms
# ---------------------------------------------------------------------------


class TestPseudonym:
    def test_known_value(self) -> None:
        # Pinned: partners on other machines and versions must derive the same value.
        assert pseudonym("LA0000123", key=RAW) == "pmm4ncmgpbvxeasuv6"

    def test_is_documented_hmac_construction(self) -> None:
        for value in ("LA-0001", "p001", "ß-straße", "日本"):
            digest = hmac.digest(RAW, value.casefold().encode("utf-8"), "sha256")
            expected = "pm" + base64.b32encode(digest[:10]).decode("ascii").lower()
            assert pseudonym(value, key=RAW) == expected

    def test_same_identifier_typed_differently(self) -> None:
        assert (
            pseudonym("LA0000123", key=RAW)
            == pseudonym(" la 000 0123 ", key=RAW)
            == pseudonym("La0000123\t", key=RAW_HEX)
            == pseudonym("LA\u00a00000123", key=load_key(RAW))
        )

    def test_an_accent_typed_as_a_letter_and_a_mark_is_the_same_identifier(self) -> None:
        # "é" as one character (NFC) and as "e" and a combining accent (NFD, as macOS
        # and some web forms write it): one young person, one pseudonym, at every partner.
        assert pseudonym("LA-\u00e9123", key=RAW) == pseudonym("LA-e\u0301123", key=RAW)
        assert pseudonym("LA-\u00e9123", key=RAW) != pseudonym("LA-e123", key=RAW)

    def test_punctuation_is_kept(self) -> None:
        assert pseudonym("LA-0000123", key=RAW) != pseudonym("LA0000123", key=RAW)

    def test_different_keys_give_different_pseudonyms(self) -> None:
        assert pseudonym("LA0000123", key=RAW) != pseudonym("LA0000123", key=OTHER_RAW)

    def test_different_identifiers_give_different_pseudonyms(self) -> None:
        values = [f"LA{i:07d}" for i in range(2000)]
        assert len({pseudonym(v, key=RAW) for v in values}) == len(values)

    def test_short_and_url_safe(self) -> None:
        value = pseudonym("Jo Bloggs / 14 / N1", key=RAW)
        assert PSEUDONYM_RE.match(value)
        assert len(value) == 18
        assert urllib.parse.quote(value, safe="") == value

    def test_pattern_constant(self) -> None:
        assert re.fullmatch(PSEUDONYM_PATTERN, pseudonym("x", key=RAW))
        assert not re.fullmatch(PSEUDONYM_PATTERN, "PM" + "A" * 16)

    def test_pseudonymising_a_pseudonym_keeps_it(self) -> None:
        once = pseudonym("LA0000123", key=RAW)
        assert pseudonym(once, key=RAW) == once
        assert pseudonym(f" {once.upper()} ", key=RAW) == once

    @pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
    def test_blank_has_no_pseudonym(self, blank: str) -> None:
        with pytest.raises(ValueError, match="empty"):
            pseudonym(blank, key=RAW)

    def test_key_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PEERMAP_KEY", RAW_HEX)
        assert pseudonym("LA0000123", key=None) == pseudonym("LA0000123", key=RAW)

    def test_no_key_anywhere(self) -> None:
        with pytest.raises(KeyMaterialError):
            pseudonym("LA0000123", key=None)


class TestPseudonymise:
    @pytest.fixture()
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "person_id": ["LA-1", "la-1 ", None, "", "LA-2"],
                "age": [14, 15, 13, 16, 12],
                "label": ["a", "b", "c", "d", "e"],
            },
            index=[2, 3, 4, 5, 6],
        )

    def test_replaces_values_with_pseudonyms(self, frame: pd.DataFrame) -> None:
        out = pseudonymise(frame, ["person_id"], key=RAW)
        assert out.loc[2, "person_id"] == pseudonym("LA-1", key=RAW)
        assert out.loc[3, "person_id"] == out.loc[2, "person_id"]
        assert out.loc[6, "person_id"] == pseudonym("LA-2", key=RAW)
        assert out.loc[2, "person_id"] != out.loc[6, "person_id"]

    def test_missing_stays_missing_and_blank_stays_blank(self, frame: pd.DataFrame) -> None:
        out = pseudonymise(frame, ["person_id"], key=RAW)
        assert pd.isna(out.loc[4, "person_id"])
        assert out.loc[5, "person_id"] == ""  # blanks are not all one person

    def test_input_untouched_and_other_columns_unchanged(self, frame: pd.DataFrame) -> None:
        before = frame.copy(deep=True)
        out = pseudonymise(frame, ["person_id"], key=RAW)
        pd.testing.assert_frame_equal(frame, before)
        pd.testing.assert_frame_equal(
            out.drop(columns="person_id"), before.drop(columns="person_id")
        )
        assert list(out.columns) == list(frame.columns)
        assert out.index.equals(frame.index)

    def test_string_dtype_kept(self) -> None:
        for dtype in ("str", "string"):
            frame = pd.DataFrame({"person_id": pd.array(["a", None, "b"], dtype=dtype)})
            out = pseudonymise(frame, ["person_id"], key=RAW)
            assert out["person_id"].dtype == frame["person_id"].dtype
            assert out["person_id"].isna().tolist() == [False, True, False]

    def test_numeric_ids_pseudonymise_like_their_text(self) -> None:
        frame = pd.DataFrame({"a": [123, 456], "b": [123.0, np.nan]})
        out = pseudonymise(frame, ["a", "b"], key=RAW)
        assert out.loc[0, "a"] == pseudonym("123", key=RAW)
        assert out.loc[0, "b"] == pseudonym("123", key=RAW)
        assert pd.isna(out.loc[1, "b"])

    def test_single_column_name_as_string(self, frame: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(
            pseudonymise(frame, "person_id", key=RAW),
            pseudonymise(frame, ["person_id"], key=RAW),
        )

    def test_several_columns_share_pseudonyms(self) -> None:
        frame = pd.DataFrame({"person_a": ["p1", "p2"], "person_b": ["P2", "p1"]})
        out = pseudonymise(frame, ["person_a", "person_b"], key=RAW)
        assert out.loc[0, "person_a"] == out.loc[1, "person_b"]
        assert out.loc[1, "person_a"] == out.loc[0, "person_b"]

    def test_twice_is_the_same_as_once(self, frame: pd.DataFrame) -> None:
        once = pseudonymise(frame, ["person_id"], key=RAW)
        pd.testing.assert_frame_equal(pseudonymise(once, ["person_id"], key=RAW), once)

    def test_missing_column_named(self, frame: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="'nhs_number'"):
            pseudonymise(frame, ["person_id", "nhs_number"], key=RAW)

    def test_key_checked(self, frame: pd.DataFrame) -> None:
        with pytest.raises(KeyMaterialError):
            pseudonymise(frame, ["person_id"], key="secret")

    def test_output_accepted_by_find_identifiers(self) -> None:
        frame = pd.DataFrame({"surname": ["Smith", "Jones", ""], "nhs_number": ["x", "y", None]})
        assert find_identifiers(frame, table="people")
        out = pseudonymise(frame, ["surname", "nhs_number"], key=RAW)
        assert find_identifiers(out, table="people") == []

    def test_large_frame_hashes_each_value_consistently(self) -> None:
        values = [f"LA{i % 5000:06d}" for i in range(50_000)]
        out = pseudonymise(pd.DataFrame({"person_id": values}), ["person_id"], key=RAW)
        assert out["person_id"].nunique() == 5000
        assert out.loc[49_999, "person_id"] == pseudonym(values[49_999], key=RAW)
        assert is_pseudonym(out["person_id"]).all()


class TestIsPseudonym:
    def test_exact_format_only(self) -> None:
        good = pseudonym("LA0000123", key=RAW)
        values = pd.Series(
            [good, good.upper(), f" {good}", good[:-1], good + "a", "pm" + "1" * 16, None, 17, ""],
            dtype=object,
        )
        result = is_pseudonym(values)
        assert result.dtype == np.bool_
        assert result.tolist() == [True, False, False, False, False, False, False, False, False]

    def test_string_dtypes_and_sequences(self) -> None:
        good = pseudonym("x", key=RAW)
        for dtype in ("str", "string"):
            series = pd.Series([good, None, "x"], dtype=dtype)
            assert is_pseudonym(series).tolist() == [True, False, False]
        assert is_pseudonym([good, "x"]).tolist() == [True, False]


# ---------------------------------------------------------------------------
# Column-name rules
# ---------------------------------------------------------------------------

COLUMN_NAME_CASES = {
    "name": [
        "name",
        "full_name",
        "First Name",
        "firstname",
        "FirstName",
        "forename",
        "forenames",
        "surname",
        "last_name",
        "given_name",
        "family_name",
        "middle_name",
        "child_name",
        "known_as",
        "alias",
        "nickname",
        "maiden_name",
        "victim_surname",
    ],
    "date_of_birth": [
        "dob",
        "DOB",
        "DoB",
        "D.O.B.",
        "date_of_birth",
        "DateOfBirth",
        "birth_date",
        "birthdate",
        "birthday",
        "child_dob",
        "BirthDt",
        "yob",
        "YOB",
        "year_of_birth",  # issue 17: refused like `yob`
    ],
    "address": [
        "address",
        "Address Line 1",
        "address_line_1",
        "AddressLine1",
        "street",
        "house_number",
        "home_address",
        "addr",
    ],
    "postcode": ["postcode", "post_code", "Postal Code", "zip", "PostCode", "home_postcode"],
    "phone": [
        "phone",
        "telephone",
        "tel",
        "mobile",
        "phone_number",
        "Tel No",
        "mobile_no",
        "contact_number",
    ],
    "email": ["email", "e-mail", "EmailAddress", "email_address", "parent_email"],
    "nhs_number": ["nhs", "nhs_number", "NHS No", "nhs_no", "NHSNumber", "chi_number"],
    "pupil_number": ["upn", "UPN", "pupil_number", "unique_pupil_number", "uln", "former_upn"],
    "ni_number": ["ni_number", "NI No", "nino", "national_insurance", "nat_ins_no"],
    "vehicle_registration": ["vehicle_reg", "VRM", "number_plate", "CarReg", "reg_no"],
    "social_media": ["snapchat", "insta", "InstagramHandle", "tiktok", "username", "snap_id"],
    "clk": ["clk", "CLK", "bloom_filter", "cryptographic_long_term_key"],
}


class TestColumnNameRules:
    @pytest.mark.parametrize(
        ("column", "rule"),
        [(column, rule) for rule, columns in COLUMN_NAME_CASES.items() for column in columns],
    )
    def test_flagged(self, column: str, rule: str) -> None:
        frame = frame_of(column, ["something", "", None, "else"])
        findings = find_identifiers(frame, table="people")
        assert len(findings) == 1
        finding = findings[0]
        assert (finding.table, finding.column, finding.rule) == ("people", column, rule)
        assert finding.kind == "column_name"
        assert finding.rows == (2, 5)

    def test_every_rule_is_tested(self) -> None:
        assert set(COLUMN_NAME_CASES) == set(IDENTIFIER_RULES)

    @pytest.mark.parametrize(
        "column",
        [
            "person_id",
            "person_a",
            "person_b",
            "place_id",
            "home_authority",
            "from_authority",
            "to_authority",
            "age",
            "sex",
            "looked_after",
            "kind",
            "lon",
            "lat",
            "easting",
            "northing",
            "label",
            "first_seen",
            "last_seen",
            "source",
            "reliability",
            "date",
            "context",
            "authority_code",
            "authority_name",
            " Person_ID ",
            "AuthorityName",
            "postcode_district",
            "postcode_sector",
            "outcode",
            "PostcodeDistrict",
            "venue_name",
            "place_name",
            "ward_name",
            "lsoa_name",
            "school_name",
            "nhs_trust",
            "street_crime",
            "notes",
            # issue 17: flags about an identifier, and names of groups, pass
            "gang_name",
            "GangName",
            "email_sent",
            "dob_known",
            "has_phone",
            "phone_verified",
            "postcode_type",
        ],
    )
    def test_allowed_look_alikes(self, column: str) -> None:
        frame = frame_of(column, ["park", "15", "E09000007", ""])
        assert find_identifiers(frame, table="people") == []

    @pytest.mark.parametrize("column", ["name", "Name", "label", "venue_name", "place_name"])
    def test_venue_names_allowed_in_places(self, column: str) -> None:
        frame = frame_of(column, ["Chicken Shack", "Victoria Park"])
        assert find_identifiers(frame, table="places") == []

    def test_plain_name_is_a_person_outside_places(self) -> None:
        frame = frame_of("name", ["Chicken Shack"])
        assert [f.rule for f in find_identifiers(frame, table="people")] == ["name"]

    def test_person_name_still_flagged_in_places(self) -> None:
        frame = frame_of("owner_surname", ["Smith"])
        assert [f.rule for f in find_identifiers(frame, table="places")] == ["name"]

    def test_values_of_allowed_columns_still_checked(self) -> None:
        frame = frame_of("postcode_district", ["N1", "N1 9GU", "SW1A"])
        findings = find_identifiers(frame, table="places")
        assert summary(findings) == {("postcode_district", "postcode", "value", (3,))}

    def test_pseudonymised_column_accepted(self) -> None:
        values = [pseudonym(v, key=RAW) for v in ("Smith", "Jones")] + ["", None]
        for column in ("surname", "nhs_number", "upn", "dob"):
            assert find_identifiers(frame_of(column, values), table="people") == []

    def test_partly_pseudonymised_column_flags_the_rest(self) -> None:
        values = [pseudonym("Smith", key=RAW), "Jones", "", pseudonym("Lee", key=RAW), "Khan"]
        findings = find_identifiers(frame_of("surname", values), table="people")
        assert summary(findings) == {("surname", "name", "column_name", (3, 6))}

    def test_empty_identifier_column_carries_nothing(self) -> None:
        assert find_identifiers(frame_of("surname", ["", None, "  "]), table="people") == []


# ---------------------------------------------------------------------------
# Value rules
# ---------------------------------------------------------------------------

VALUE_CASES = {
    "postcode": [
        "SW1A 1AA",
        "n1 9gu",
        "EC1V9LB",
        "GIR 0AA",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "W1A 0AX",
        "Flat near N1 9GU",
        "seen outside sw1a  1aa at night",
    ],
    "email": [
        "jo.bloggs@example.org",
        "Contact: j_b+peer@mail.example.co.uk!",
        "jay at gmail dot com",
        "jay(at)gmail.com",
        # issue 17: was listed as harmless; it is an address written out
        "user at example dot com",
    ],
    "phone": [
        "+44 20 7946 0000",
        "020 7946 0000",
        "07700 900123",
        "07700900123",
        "0044 7700 900123",
        "+447700900123",
        "(020) 7946 0000",
        "+44 (0)20 7946 0000",
        "0161 496 0000",
        "mum's mobile 07700-900-123 (evenings)",
    ],
    "nhs_number": ["943 476 5919", "9434765919", "943-476-5919", "NHS 943 476 5919 checked"],
    "ni_number": ["AB 12 34 56 C", "ab123456c", "JG103759A", "NI: CE 12 34 56 D"],
    "pupil_number": ["H801200001001", "upn M202202100001", "U80120000100A"],
    "vehicle_registration": ["AB12 CDE", "car YG21KLM seen", "A123 BCD", "ABC 123D"],
    # issue 17: "@handle" was listed as harmless; it is a handle
    "social_media": ["@jay_99", "snap: jayjay", "@handle", "insta - @lil.kay"],
    "name": ["Jayden Smith's house", "seen with Kayla Brown", "Amelia O'Brien"],
    "date_of_birth": ["DOB 03/02/2010", "born 3rd Feb 2010", "d.o.b. 2010-02-03"],
    "address": ["lives at 14 Elm Grove", "12a Church Road, Luton", "Flat 2 Nelson House"],
    "clk": [
        (
            "iBBAAgEBBIAEAAIACBBAAACYoABAABACEDQAIBVQAMCAEAQAAEKDADAAAQAAoAYgFAAAgCgCBAACIBAk"
            "IAAAJIAQIIABIAADABASIIAAABBAIBAAggCABKoQEBSAA4AAAAQAAwAAggIACAcAAABQgAAQCgSFIEgA"
            "AAAARYQKIRA="
        ),
        (
            "AyAAAAROgBQAoAEAFQAgIGwiA1mQAgCAAgAAEDACYAnoiiYIIAASuAAIAgEoYCBBAEeKKICDkBAAEBiD"
            "CgNukggoRQCsECCABBA5CYCAIoCISCCAIEmScAQEAwEAkiCSwAJBKhh48ogVYFgy8CAKEFABAXIhAhQI"
            "GioBUiEMBCGJgAAIAAAAAAAAACEAAAABAAEADABAAAABAAAIAAAAAAAGEAQACAkAAFAAQAAAQEBABACA"
            "BAAAIDABABAABCgKQOQAAAJCAAAABAIIUAJAIAAAACCAQAwAAAQkQAAAQIAQVAAAABMAASAAiCAACACA"
            "UEAAACsEAAAAAAAAIAAAQAQQAAAAAAEAAAAAAACAAAAAAAAAAQAAAAAAAAAAACAAAAAAAAAAAAAAAAAA"
            "AAAAABAAAAAEAAAAAAAAAEAAAAAA/ByyRsg1GUwq08xkgxU="
        ),  # version 3 (field segments)
    ],
}

NEGATIVE_VALUES = [
    # partial postcodes
    "N1",
    "SW1A",
    "EC1V",
    # GSS codes
    "E09000007",
    "E06000001",
    "W06000015",
    "S12000033",
    "E12000007",
    "K04000001",
    # dates and times
    "2024-01-05",
    "2024-01-05T18:45:00",
    "05/01/2024",
    "01-02-2024 10:30",
    "01-02-2024 10.30",
    "03 04 2024 11 45",
    "12:30",
    # coordinates
    "529000",
    "183000.5",
    "529000 183000",
    "531051.5,184712.25",
    "-0.1276",
    "51.5072",
    "-0.123456789",
    "51.07201234567",
    # ids and numbers
    "P00123",
    "p001",
    "LA-0001",
    "CASE-2024-000117",
    "12345",
    "0123",
    "07700 9001",
    "1700000000",
    "943 476 5918",  # wrong NHS check digit
    "0000000000",  # placeholder, not an NHS number
    "QQ 12 34 56 C",  # HMRC's specimen: Q is never a first letter
    "BG 12 34 56 A",  # prefix never issued
    "AB 12 34 56 E",  # suffix is A-D
    # free text
    "bus stop by the M25 services",
    # issue 17: wrongly refused before
    "CH-9434765919",
    "01234567890",
    "Victoria Park",
    "St George's Park",
    "meet @7pm",
    "snap chat group",
    "W801200001002",  # wrong UPN check letter
    "AB 12 34 56 E",
    "v1.2.3",
]


class TestValueRules:
    @pytest.mark.parametrize(
        ("value", "rule"),
        [(value, rule) for rule, values in VALUE_CASES.items() for value in values],
    )
    @pytest.mark.parametrize("column", ["notes", "label", "person_id"])
    def test_flagged(self, value: str, rule: str, column: str) -> None:
        frame = frame_of(column, ["park", value, ""])
        findings = find_identifiers(frame, table="places")
        assert summary(findings) == {(column, rule, "value", (3,))}

    def test_every_value_rule_is_tested(self) -> None:
        assert set(VALUE_CASES) == set(IDENTIFIER_RULES)

    @pytest.mark.parametrize("value", NEGATIVE_VALUES)
    def test_not_flagged(self, value: str) -> None:
        frame = frame_of("label", [value])
        assert find_identifiers(frame, table="places") == []

    def test_pseudonyms_never_flagged(self) -> None:
        values = [pseudonym(f"LA{i:05d}", key=RAW) for i in range(3000)]
        frame = pd.DataFrame({"notes": values, "person_id": values})
        assert find_identifiers(frame, table="people") == []

    def test_pseudonyms_inside_free_text_never_flagged(self) -> None:
        values = [pseudonym(f"LA{i:05d}", key=RAW) for i in range(3000)]
        notes = [
            f"seen with {a} and {b}." for a, b in zip(values, values[1:] + values[:1], strict=True)
        ]
        assert find_identifiers(frame_of("notes", notes), table="ties") == []

    def test_nhs_check_digit(self) -> None:
        assert nhs_number("943476591") == "9434765919"
        rng = np.random.default_rng(7)
        valid: list[str] = []
        while len(valid) < 40:
            number = nhs_number("".join(str(d) for d in rng.integers(0, 10, 9)))
            if number is not None and len(set(number)) > 1:
                valid.append(number)
        invalid = [n[:9] + str((int(n[9]) + 1) % 10) for n in valid]
        spaced = [f"{n[:3]} {n[3:6]} {n[6:]}" for n in valid]
        frame = pd.DataFrame({"a": valid, "b": invalid, "c": spaced})
        found = {(f.column, f.rule): f.rows for f in find_identifiers(frame, table="t")}
        assert found[("a", "nhs_number")] == tuple(range(40))
        assert found[("c", "nhs_number")] == tuple(range(40))
        assert ("b", "nhs_number") not in found

    def test_numeric_columns_checked_too(self) -> None:
        frame = pd.DataFrame({"ref": [9434765919, 12], "x": [9434765919.0, np.nan]})
        assert summary(find_identifiers(frame, table="t")) == {
            ("ref", "nhs_number", "value", (0,)),
            ("x", "nhs_number", "value", (0,)),
        }

    def test_several_rules_in_one_column(self) -> None:
        frame = frame_of("notes", ["jo@example.org", "ring 07700 900123", "N1 9GU", "ok"])
        assert summary(find_identifiers(frame, table="ties")) == {
            ("notes", "email", "value", (2,)),
            ("notes", "phone", "value", (3,)),
            ("notes", "postcode", "value", (4,)),
        }

    def test_rows_are_index_labels(self) -> None:
        frame = pd.DataFrame({"notes": ["ok", "N1 9GU", "ok", "SW1A 1AA"]}, index=[10, 11, 12, 13])
        (finding,) = find_identifiers(frame, table="ties")
        assert finding.rows == (11, 13)


# ---------------------------------------------------------------------------
# Messages and refusal
# ---------------------------------------------------------------------------

ALL_OFFENDING = [value for values in VALUE_CASES.values() for value in values]


class TestMessages:
    @pytest.mark.parametrize("value", ALL_OFFENDING)
    def test_value_message_has_column_rule_fix_and_no_value(self, value: str) -> None:
        (finding,) = find_identifiers(frame_of("notes", [value]), table="ties")
        message = finding.message
        assert "'notes'" in message
        assert f"'{finding.rule}'" in message
        assert "'ties'" in message
        assert "1 row (row 2)" in message
        assert "peermap.pseudonymise(frame, ['notes'], key=...)" in message
        assert "peermap pseudonymise" in message
        assert value not in message
        assert value.strip().lower() not in message.lower()
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 6:
            assert digits not in re.sub(r"\D", "", message)

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("surname", "Smith"),
            ("dob", "2010-04-01"),
            ("nhs_number", "9434765919"),
            ("home_address", "1 High Street"),
        ],
    )
    def test_column_name_message(self, column: str, value: str) -> None:
        (finding,) = find_identifiers(frame_of(column, [value, "", value]), table="people")
        message = finding.message
        assert f"'{column}'" in message
        assert f"'{finding.rule}'" in message
        assert "2 rows (rows 2, 4)" in message
        assert f"peermap.pseudonymise(frame, ['{column}'], key=...)" in message
        assert "Remove the column" in message
        assert value not in message

    def test_many_rows_are_summarised(self) -> None:
        frame = frame_of("notes", ["N1 9GU"] * 12)
        (finding,) = find_identifiers(frame, table="ties")
        assert "12 rows (rows 2, 3, 4, 5, 6 and 7 more)" in finding.message
        assert len(finding.rows) == 12

    def test_row_labels_that_are_not_numbers_are_withheld(self) -> None:
        frame = pd.DataFrame({"surname": ["Smith"]}, index=["Jo Bloggs"])
        (finding,) = find_identifiers(frame, table="people")
        assert finding.rows == ("Jo Bloggs",)
        assert "Jo Bloggs" not in finding.message
        assert "1 row holds" in finding.message

    def test_header_that_looks_like_an_identifier_is_withheld(self) -> None:
        # A file without a header row: its first record becomes the column names.
        frame = pd.DataFrame([["LA-0002", "E9 5EN"]], columns=["LA-0001", "N1 9GU"], index=[2])
        findings = find_identifiers(frame, table="people")
        names = [f for f in findings if f.kind == "column_name"]
        assert [(f.column, f.rule) for f in names] == [("column 2", "postcode")]
        values = [f for f in findings if f.kind == "value"]
        assert [(f.column, f.rule, f.rows) for f in values] == [("column 2", "postcode", (2,))]
        for finding in findings:
            assert "N1 9GU" not in finding.message
            assert "E9 5EN" not in finding.message
            assert "header row" in finding.message


class TestRefuseIdentifiers:
    def test_clean_frame_passes(self) -> None:
        refuse_identifiers(read_fixture("people_clean.csv"), table="people")  # no error

    def test_refusal_lists_everything_without_values(self) -> None:
        frame = read_fixture("people_identifying.csv")
        with pytest.raises(PrivacyError) as info:
            refuse_identifiers(frame, table="people", file=Path("in/people.csv"))
        error = info.value
        assert isinstance(error, ValidationError)
        assert isinstance(error, ValueError)
        message = str(error)
        assert message.startswith(str(Path("in/people.csv")))
        for column, rule in [
            ("person_id", "nhs_number"),
            ("first_name", "name"),
            ("DOB", "date_of_birth"),
            ("home_postcode", "postcode"),
            ("notes", "phone"),
            ("notes", "email"),
            ("NHS_No", "nhs_number"),
            ("UPN", "pupil_number"),
        ]:
            assert f"column '{column}'" in message
            assert f"(rule '{rule}')" in message
        assert "peermap.pseudonymise(" in message
        assert "still personal data" in message
        cells = frame.to_numpy().ravel().tolist()
        for cell in cells:
            if cell and not cell.isdigit() and len(cell) > 2:
                assert cell not in message, cell
        for secret in ("943 476 5919", "9434765919", "07700 900123", "N1 9GU", "sam.k@"):
            assert secret not in message

    def test_number_of_findings_listed_follows_settings(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(peermap_settings, "max_problems_in_message", 2)
        frame = pd.DataFrame({c: ["x"] for c in ("surname", "dob", "email", "upn", "nino")})
        with pytest.raises(PrivacyError) as info:
            refuse_identifiers(frame, table="people")
        message = str(info.value)
        assert message.count("  - ") == 2
        assert "and 3 more" in message


class TestFixtures:
    @pytest.mark.parametrize(
        ("name", "table"), [("places_clean.csv", "places"), ("people_clean.csv", "people")]
    )
    def test_clean_tables_have_no_findings(self, name: str, table: str) -> None:
        assert find_identifiers(read_fixture(name), table=table) == []

    def test_identifying_table(self) -> None:
        findings = find_identifiers(read_fixture("people_identifying.csv"), table="people")
        assert summary(findings) == {
            ("person_id", "nhs_number", "value", (4,)),
            ("first_name", "name", "column_name", (2, 4)),
            ("DOB", "date_of_birth", "column_name", (2, 4)),
            ("home_postcode", "postcode", "column_name", (2, 4)),
            ("notes", "phone", "value", (2, 5)),
            ("notes", "email", "value", (4,)),
            ("notes", "postcode", "value", (5,)),
            ("NHS_No", "nhs_number", "column_name", (2,)),
            ("UPN", "pupil_number", "column_name", (2,)),
        }

    def test_identifying_table_passes_once_pseudonymised_and_cleaned(self) -> None:
        frame = read_fixture("people_identifying.csv")
        frame = pseudonymise(frame, ["person_id", "first_name", "NHS_No", "UPN"], key=RAW)
        frame = frame.drop(columns=["DOB", "home_postcode", "notes"])
        assert find_identifiers(frame, table="people") == []
        assert list(frame["postcode_district"]) == ["N1", "SW1A", "EC1V", ""]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(st.text(min_size=1))
def test_pseudonym_of_any_text_has_the_format_and_hides_the_input(text: str) -> None:
    normalised = "".join(text.split()).casefold()
    if not normalised:
        with pytest.raises(ValueError):
            pseudonym(text, key=RAW)
        return
    result = pseudonym(text, key=RAW)
    assert is_pseudonym(pd.Series([result])).all()
    if len(normalised) >= 8 and not PSEUDONYM_RE.match(normalised):
        assert text.strip() not in result
        assert normalised not in result


@PROPERTY_SETTINGS
@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/", min_size=1, max_size=20),
    st.lists(st.sampled_from([" ", "\t", "\u00a0", "\n", ""]), min_size=21, max_size=21),
    st.lists(st.booleans(), min_size=20, max_size=20),
)
def test_whitespace_and_case_never_change_the_pseudonym(
    identifier: str, gaps: list[str], lower: list[bool]
) -> None:
    typed = gaps[0] + "".join(
        (c.lower() if low else c) + gap
        for c, low, gap in zip(identifier, lower, gaps[1:], strict=False)
    )
    assert pseudonym(typed, key=RAW) == pseudonym(identifier, key=RAW)


@PROPERTY_SETTINGS
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=30))
def test_pseudonymise_agrees_with_pseudonym(values: list[str | None]) -> None:
    frame = pd.DataFrame({"person_id": pd.Series(values, dtype=object)})
    out = pseudonymise(frame, ["person_id"], key=RAW)
    for original, result in zip(values, out["person_id"], strict=True):
        if original is None:
            assert pd.isna(result)
        elif not original.strip():
            assert result == original
        else:
            assert result == pseudonym(original, key=RAW)


cell = st.one_of(st.none(), st.text(max_size=40))


@PROPERTY_SETTINGS
@given(
    columns=st.lists(st.text(max_size=15), min_size=1, max_size=5),
    rows=st.integers(min_value=0, max_value=8),
    data=st.data(),
    table=st.sampled_from(["people", "places", "ties", "sightings", "relocations", ""]),
)
def test_find_identifiers_never_raises_on_text(
    columns: list[str], rows: int, data: st.DataObject, table: str
) -> None:
    body = data.draw(
        st.lists(
            st.lists(cell, min_size=len(columns), max_size=len(columns)),
            min_size=rows,
            max_size=rows,
        )
        if rows
        else st.just([])
    )
    frame = pd.DataFrame(body, columns=columns, dtype=object)  # duplicate names allowed
    frame.index = range(2, 2 + len(frame))
    findings = find_identifiers(frame, table=table)
    for finding in findings:
        assert finding.table == table
        assert finding.rule in IDENTIFIER_RULES
        assert finding.kind in ("column_name", "value")
        assert set(finding.rows) <= set(frame.index)
        assert finding.message


postcodes = st.builds(
    lambda area, district, gap, sector, unit: f"{area}{district}{gap}{sector}{unit}",
    st.sampled_from(["N", "SW", "EC", "B", "M", "LS", "CR", "DN"]),
    st.integers(min_value=1, max_value=29).map(str),
    st.sampled_from(["", " ", "  "]),
    st.integers(min_value=0, max_value=9).map(str),
    st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2),
)
nhs_numbers = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .map(nhs_number)
    .filter(lambda n: n is not None and len(set(n)) > 1)
)
emails = st.builds(
    "{}@{}.{}".format,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._", min_size=1, max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    st.sampled_from(["org", "co.uk", "com", "sch.uk"]),
)


@PROPERTY_SETTINGS
@given(
    st.one_of(
        postcodes.map(lambda v: ("postcode", v)),
        nhs_numbers.map(lambda v: ("nhs_number", str(v))),
        emails.map(lambda v: ("email", v)),
    ),
    st.sampled_from(["", "seen near ", "ref: "]),
    st.sampled_from(["", " on Friday", ", then left"]),
)
def test_embedded_identifiers_are_found_and_never_echoed(
    found: tuple[str, str], before: str, after: str
) -> None:
    rule, value = found
    frame = frame_of("notes", ["park", before + value + after])
    findings = find_identifiers(frame, table="ties")
    assert (rule, (3,)) in {(f.rule, f.rows) for f in findings}
    for finding in findings:
        assert value not in finding.message
    with pytest.raises(PrivacyError) as info:
        refuse_identifiers(frame, table="ties", file="notes.csv")
    assert value not in str(info.value)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() or c in "@." else c for c in text)


# An identifier typed with a non-breaking or thin space, a non-breaking hyphen, split
# by a zero-width space, or in full-width characters (pasted from a PDF or a phone) is
# the same identifier to a reader.
DISGUISED = [
    ("phone", "07700\u00a0900123"),
    ("phone", "07700\u2009900123"),
    ("phone", "07700\u200b 900123"),
    ("phone", _full_width("07700 900123")),
    ("postcode", "SW1A\u00a01AA"),
    ("postcode", "SW1A\u20111AA"),
    ("postcode", _full_width("SW1A 1AA")),
    ("nhs_number", "943\u00a0476\u00a05919"),
    ("nhs_number", "943\u200b 476\u200b 5919"),
    ("ni_number", "AB\u00a0123456\u00a0C"),
    ("email", _full_width("jo.bloggs@example.org")),
    ("name", "Jayden\u200b Smith"),
]


@pytest.mark.parametrize(("rule", "value"), DISGUISED)
@pytest.mark.parametrize("distinct", [3, 200])  # under and over the RE2 screen's size
def test_identifiers_in_other_spaces_and_widths_are_found(
    rule: str, value: str, distinct: int
) -> None:
    cells = [f"seen at the park on visit {i}" for i in range(distinct)] + [f"notes {value}"]
    frame = frame_of("notes", cells)
    findings = find_identifiers(frame, table="ties")
    assert rule in {f.rule for f in findings}
    with pytest.raises(PrivacyError) as info:
        refuse_identifiers(frame, table="ties", file="notes.csv")
    assert value not in str(info.value)
