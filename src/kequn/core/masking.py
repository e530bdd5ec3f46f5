"""Display masks for C2 personal data (DOMAIN.md §3, JR/T 0171-2020 implementers' convention).

>>> mask_phone("13812345678")
'138****5678'
>>> mask_phone("+86 138 1234 5678")
'138****5678'
>>> mask_id_no("110101199003071234")
'110101********1234'
>>> mask_account("6222020200112233445")
'***************3445'
>>> mask_address("上海市浦东新区世纪大道100号")
'上海市浦东新区****'
>>> mask_email("zhang.wei@example.com")
'z***@example.com'
"""

from __future__ import annotations

import re

_DISTRICT = re.compile(r"^(.*?(?:省|自治区))?(.*?(?:市|自治州|地区|盟))?(.*?(?:区|县|旗|市))?")


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):  # +86 country code
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_no(id_no: str | None) -> str | None:
    if not id_no:
        return id_no
    if len(id_no) < 10:
        return "*" * len(id_no)
    return id_no[:6] + "*" * (len(id_no) - 10) + id_no[-4:]


def mask_account(number: str | None) -> str | None:
    if not number:
        return number
    return "*" * max(len(number) - 4, 0) + number[-4:]


def mask_address(address: str | None) -> str | None:
    """Keep the address down to the district (区/县) and hide the rest."""
    if not address:
        return address
    match = _DISTRICT.match(address)
    kept = match.group(0) if match else ""
    if not kept or kept == address:
        kept = address[: max(len(address) // 3, 1)]
    return kept + "****"


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    user, _, domain = email.partition("@")
    return f"{user[:1]}***@{domain}"


MASKS = {
    "phone": mask_phone,
    "id_no": mask_id_no,
    "account_id": mask_account,
    "counterparty_account": mask_account,
    "address": mask_address,
    "email": mask_email,
}


def mask_record(record: dict[str, object]) -> dict[str, object]:
    """Mask every known PII field of a record (a copy; the input is not changed)."""
    out = dict(record)
    for field_name, mask in MASKS.items():
        value = out.get(field_name)
        if isinstance(value, str):
            out[field_name] = mask(value)
    return out
