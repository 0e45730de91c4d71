import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.core import crypto


@pytest.fixture(autouse=True)
def keys(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DATA_ENCRYPTION_KEYS = ""
    settings.BLIND_INDEX_KEY = ""
    crypto.reset_key_cache()
    yield
    crypto.reset_key_cache()


def test_round_trip_and_no_plaintext_in_the_token():
    token = crypto.encrypt("44010319900307123X", context="person.id_number")
    assert "44010319900307123X" not in token
    assert token.startswith("v1.")
    assert crypto.decrypt(token, context="person.id_number") == "44010319900307123X"
    # A random nonce: the same value encrypts differently every time.
    assert crypto.encrypt("x", context="c") != crypto.encrypt("x", context="c")


def test_a_token_moved_to_another_column_does_not_decrypt():
    token = crypto.encrypt("13800138000", context="person.phone")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(token, context="person.id_number")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(tampered, context="person.phone")


def test_embedded_keys_are_created_once_with_private_permissions(settings, tmp_path):
    crypto.encrypt("x", context="c")
    path = tmp_path / "keys.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    before = path.read_text()
    crypto.reset_key_cache()
    crypto.encrypt("x", context="c")
    assert path.read_text() == before


def test_key_rotation_decrypts_old_tokens(settings):
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.DATA_ENCRYPTION_KEYS = old
    settings.BLIND_INDEX_KEY = crypto.generate_key()
    crypto.reset_key_cache()
    token = crypto.encrypt("secret", context="c")
    settings.DATA_ENCRYPTION_KEYS = f"{new},{old}"
    crypto.reset_key_cache()
    assert crypto.decrypt(token, context="c") == "secret"
    assert crypto.encrypt("secret", context="c").split(".")[1] != token.split(".")[1]
    settings.DATA_ENCRYPTION_KEYS = new
    crypto.reset_key_cache()
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(token, context="c")


def test_bad_keys_are_refused(settings):
    settings.DATA_ENCRYPTION_KEYS = "c2hvcnQ"
    settings.BLIND_INDEX_KEY = crypto.generate_key()
    crypto.reset_key_cache()
    with pytest.raises(ValueError):
        crypto.encrypt("x", context="c")


def test_blind_index_matches_normalised_input_only_in_its_context():
    a = crypto.blind_index("44010319900307123x", context="person.id_number")
    assert a == crypto.blind_index(" 440103 19900307 123X ", context="person.id_number")
    assert a == crypto.blind_index(
        "４４０１０３１９９００３０７１２３Ｘ", context="person.id_number"
    )
    assert a != crypto.blind_index("44010319900307123X", context="person.phone")
    assert a != crypto.blind_index("440103199003071230", context="person.id_number")
    assert len(a) == 64


def test_masks():
    assert crypto.mask_id_number("44010319900307123X") == "440103********123X"
    assert crypto.mask_phone("138-0013-8000") == "138****8000"
    assert crypto.mask_phone("12345") == "*****"


@given(st.text(max_size=60))
def test_encrypt_decrypt_any_text(text):
    assert crypto.decrypt(crypto.encrypt(text, context="p"), context="p") == text
