from kequn.core.masking import mask_id_no, mask_phone, mask_record


def test_phone_mask_normalises_formats():
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138****5678"


def test_mask_record_hides_every_pii_field():
    rec = {
        "name": "张伟",
        "phone": "13812345678",
        "id_no": "11010119900307123X",
        "address": "北京市东城区东长安街1号",
    }
    masked = mask_record(rec)
    assert "12345678" not in str(masked)
    assert masked["id_no"] == mask_id_no("11010119900307123X") == "110101********123X"
    assert masked["address"].startswith("北京市东城区") and "长安街" not in masked["address"]
    assert masked["name"] == "张伟"
