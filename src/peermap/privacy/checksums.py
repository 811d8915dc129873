"""Check digits of the identifiers the detector recognises: NHS numbers and UPNs.

A number that passes its check digit is far more likely to be a real identifier than
a reference that only has its shape, so the detector (:mod:`peermap.privacy.identifiers`)
asks these before it refuses a value.
"""

from __future__ import annotations

__all__ = ["UPN_LETTERS", "nhs_check_digit_valid", "upn_check_letter"]

#: The letters of a unique pupil number's check letter, in order (DfE).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_check_digit_valid(digits: str) -> bool:
    """Return whether ten digits are an NHS number with a valid check digit (modulus 11).

    Ten repeats of one digit are placeholders, not numbers.
    """
    if len(digits) != 10 or len(set(digits)) == 1:  # repeated digits are placeholders
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def upn_check_letter(characters: str) -> str | None:
    """Return the DfE check letter for a UPN's last 12 characters, or None if malformed.

    Parameters
    ----------
    characters : str
        Characters 2 to 13 of a unique pupil number: 11 digits, then a digit or (in a
        temporary UPN) a letter.

    Returns
    -------
    str or None
        The letter that must stand first: the sum of each character's value (digits
        as themselves, letters by position in ``ABCDEFGHJKLMNPQRTUVWXYZ`` from 0)
        times its position (2 to 13), modulo 23, as a letter of that alphabet.
    """
    chars = characters.upper()
    if len(chars) != 12 or not chars[:11].isdigit():
        return None
    total = 0
    for position, char in enumerate(chars, start=2):
        if char.isdigit():
            value = int(char)
        elif char in UPN_LETTERS:
            value = UPN_LETTERS.index(char)
        else:
            return None
        total += value * position
    return UPN_LETTERS[total % 23]
