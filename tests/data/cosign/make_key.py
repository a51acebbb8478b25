#!/usr/bin/env python3
"""Independent witness for pipe's cosign key handling, written with Python's hashlib.scrypt,
PyNaCl's SecretBox and pyca/cryptography instead of pipe's libsodium/OpenSSL code.

  make_key.py generate <dir>                 write the python-* fixtures committed next to this script
  make_key.py --check <key> <password> [pub] decrypt a cosign key file pipe wrote; exit 0 when it
                                             decrypts to a PKCS#8 key (matching pub when given)

Needs python3-nacl and python3-cryptography (Debian packages).
"""

import base64
import hashlib
import json
import os
import sys

import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

PASSWORD = b"pipe-witness-password"
TYPES = ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY")
PAYLOAD = (b'{"critical":{"identity":{"docker-reference":"registry.example/team/app"},'
           b'"image":{"docker-manifest-digest":"sha256:' + b"ab" * 32 + b'"},'
           b'"type":"cosign container image signature"},"optional":{"origin":"python"}}')
STATEMENT = (b'{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"registry.example/team/app",'
             b'"digest":{"sha256":"' + b"ab" * 32 + b'"}}],"predicateType":"https://example.com/witness/v1",'
             b'"predicate":{"by":"python"}}')
IN_TOTO = "application/vnd.in-toto+json"


def b64(data):
    return base64.b64encode(data).decode()


def pem(kind, body):
    text = b64(body)
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (kind, "\n".join(lines), kind)


def unpem(text):
    lines = text.strip().splitlines()
    kind = lines[0][len("-----BEGIN "):-len("-----")]
    if lines[-1] != "-----END %s-----" % kind:
        raise ValueError("bad PEM end line")
    return kind, base64.b64decode("".join(lines[1:-1]))


def encrypt(pkcs8, password, n):
    salt = os.urandom(32)
    key = hashlib.scrypt(password, salt=salt, n=n, r=8, p=1, maxmem=256 * 1024 * 1024, dklen=32)
    nonce = os.urandom(nacl.secret.SecretBox.NONCE_SIZE)
    sealed = nacl.secret.SecretBox(key).encrypt(pkcs8, nonce).ciphertext
    doc = {"kdf": {"name": "scrypt", "params": {"N": n, "r": 8, "p": 1}, "salt": b64(salt)},
           "cipher": {"name": "nacl/secretbox", "nonce": b64(nonce)}, "ciphertext": b64(sealed)}
    return json.dumps(doc, separators=(",", ":")).encode()


def decrypt(document, password):
    doc = json.loads(document)
    if doc["kdf"]["name"] != "scrypt" or doc["cipher"]["name"] != "nacl/secretbox":
        raise ValueError("not scrypt + nacl/secretbox")
    params = doc["kdf"]["params"]
    if params["N"] not in (32768, 65536, 131072) or params["r"] != 8 or params["p"] != 1:
        raise ValueError("unsupported scrypt parameters %r" % params)
    key = hashlib.scrypt(password, salt=base64.b64decode(doc["kdf"]["salt"]), n=params["N"], r=8, p=1,
                         maxmem=256 * 1024 * 1024, dklen=32)
    nonce = base64.b64decode(doc["cipher"]["nonce"])
    return nacl.secret.SecretBox(key).decrypt(base64.b64decode(doc["ciphertext"]), nonce)


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def pkcs8(key):
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write(directory, name, data):
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data if isinstance(data, bytes) else data.encode())


def pae(payload_type, body):
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(body), body)


def generate(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    write(directory, "python-encrypted.key", pem(TYPES[0], encrypt(pkcs8(key), PASSWORD, 65536)))
    write(directory, "python-encrypted.pub", public_pem(key))
    write(directory, "python-plain.key", key.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    write(directory, "python-sec1.key", key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.TraditionalOpenSSL,
                                                          serialization.NoEncryption()))
    write(directory, "python-payload.json", PAYLOAD)
    write(directory, "python-payload.sig", b64(key.sign(PAYLOAD, ec.ECDSA(hashes.SHA256()))))
    envelope = {"payloadType": IN_TOTO, "payload": b64(STATEMENT),
                "signatures": [{"keyid": "", "sig": b64(key.sign(pae(IN_TOTO, STATEMENT), ec.ECDSA(hashes.SHA256())))}]}
    write(directory, "python-dsse.json", json.dumps(envelope, separators=(",", ":")))

    legacy = ec.generate_private_key(ec.SECP256R1())
    write(directory, "python-legacy.key", pem(TYPES[1], encrypt(pkcs8(legacy), PASSWORD, 32768)))
    write(directory, "python-legacy.pub", public_pem(legacy))

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write(directory, "python-rsa.pub", public_pem(rsa_key))
    write(directory, "python-payload.rsa.sig", b64(rsa_key.sign(PAYLOAD, padding.PKCS1v15(), hashes.SHA256())))

    ed_key = ed25519.Ed25519PrivateKey.generate()
    write(directory, "python-ed25519.pub", public_pem(ed_key))
    write(directory, "python-payload.ed25519.sig", b64(ed_key.sign(PAYLOAD)))


def check(key_file, password, pub_file=None):
    with open(key_file) as source:
        kind, body = unpem(source.read())
    if kind not in TYPES:
        raise ValueError("PEM type %r is not a cosign key" % kind)
    key = serialization.load_der_private_key(decrypt(body, password.encode()), password=None)
    if pub_file is not None:
        with open(pub_file) as source:
            if source.read() != public_pem(key):
                raise ValueError("the decrypted key does not match %s" % pub_file)
    print("ok: %s holds a %s key" % (key_file, type(key).__name__))


def main(argv):
    if len(argv) == 3 and argv[1] == "generate":
        generate(argv[2])
        return 0
    if len(argv) in (4, 5) and argv[1] == "--check":
        try:
            check(*argv[2:])
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            print("check failed: %s: %s" % (type(error).__name__, error), file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
