from sunshine.privacy.masking import mask_address, mask_id_number, mask_name, mask_phone


def test_names_keep_first_and_last_character():
    assert mask_name("张三") == "张*"
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("王") == "王"


def test_id_numbers_keep_region_and_last_four():
    assert mask_id_number("430702201805031237") == "430702********1237"


def test_phones_keep_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_addresses_hide_building_and_room():
    masked = mask_address("武陵区锦绣华庭3栋2单元501室")
    assert "501" not in masked and masked.startswith("武陵区锦绣华庭")
