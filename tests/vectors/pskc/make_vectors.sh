#!/bin/sh
# Writes the non-RFC PSKC vectors of this directory with OpenSSL (AES-CBC, HMAC, PBKDF2 through
# `openssl enc` / `openssl dgst` / `openssl kdf`) and pskctool (validation, and an XML-DSig signed
# copy). The RFC 6030 figures (rfc6030-figure*.pskc) are typed from the RFC's text. Deterministic
# IVs and salts so that re-running gives the same files. Run from this directory.
set -eu
b64() { openssl base64 -A; }
# enc KEYHEX IVHEX: AES-CBC (key length picks the variant) of stdin, IV in front, base64.
enc() {
    bits=$(( ${#1} * 4 ))
    { printf '%s' "$2" | xxd -r -p; openssl enc -aes-$bits-cbc -K "$1" -iv "$2"; } | b64
}
# mac ALG MACKEYHEX: HMAC over the decoded base64 on stdin, base64.
mac() { openssl base64 -d -A | openssl dgst -"$1" -mac HMAC -macopt hexkey:"$2" -binary | b64; }

container() {  # $1 EncryptionKey XML, $2 MAC alg URI, $3 MACKey CipherValue, $4 enc alg, $5... packages
    printf '<?xml version="1.0" encoding="UTF-8"?>\n'
    printf '<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"\n'
    printf '    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"\n'
    printf '    xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#">\n'
    printf '  <EncryptionKey>%s</EncryptionKey>\n' "$1"
    printf '  <MACMethod Algorithm="%s"><MACKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#%s"/>' "$2" "$4"
    printf '<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData></MACKey></MACMethod>\n' "$3"
}
package() {  # serial algorithm(hotp|totp) suite digits secretCV valueMAC extra-data encalg
    cat <<XML
  <KeyPackage>
    <DeviceInfo><Manufacturer>mfakit test vendor</Manufacturer><SerialNo>$1</SerialNo><Model>OTP-1</Model></DeviceInfo>
    <Key Id="key-$1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:$2">
      <Issuer>mfakit tests</Issuer>
      <AlgorithmParameters>$3<ResponseFormat Length="$4" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><EncryptedValue><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#$8"/>
          <xenc:CipherData><xenc:CipherValue>$5</xenc:CipherValue></xenc:CipherData></EncryptedValue>
          <ValueMAC>$6</ValueMAC></Secret>
        $7
      </Data>
    </Key>
  </KeyPackage>
XML
}

# 1. TOTP, SHA-256 suite, pre-shared AES-256 key, HMAC-SHA256 MAC.
K=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
MK=6d61632d6b65792d666f722d6d666b69742d7465737473
MKCV=$(printf '%s' "$MK" | xxd -r -p | enc $K 0f0e0d0c0b0a09080706050403020100)
SEED=$(printf '12345678901234567890123456789012' | enc $K a0a1a2a3a4a5a6a7a8a9aaabacadaeaf)
SMAC=$(printf '%s' "$SEED" | mac sha256 $MK)
{
    container "<ds:KeyName>mfakit-test-psk</ds:KeyName>" "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256" "$MKCV" aes256-cbc
    package TOTP-0001 totp "<Suite>HMAC-SHA256</Suite>" 8 "$SEED" "$SMAC" "<TimeInterval><PlainValue>60</PlainValue></TimeInterval>" aes256-cbc
    printf '</KeyContainer>\n'
} > openssl-aes256-totp.pskc

# 2. Two HOTP tokens under a PBKDF2-derived AES-128 key (passphrase "correct horse battery").
SALT=73616c742d666f722d706b636b
DK=$(openssl kdf -keylen 16 -kdfopt digest:SHA1 -kdfopt pass:"correct horse battery" -kdfopt hexsalt:$SALT -kdfopt iter:2000 PBKDF2 | tr -d ':' | tr 'A-F' 'a-f')
MK2=0102030405060708090a0b0c0d0e0f1011121314
MKCV2=$(printf '%s' "$MK2" | xxd -r -p | enc $DK 11111111111111111111111111111111)
S1=$(printf '12345678901234567890' | enc $DK 22222222222222222222222222222222)
S2=$(printf 'abcdefghijabcdefghij' | enc $DK 33333333333333333333333333333333)
DERIVED="<xenc11:DerivedKey><xenc11:KeyDerivationMethod Algorithm=\"http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2\"><pkcs5:PBKDF2-params><Salt><Specified>$(printf '%s' $SALT | xxd -r -p | b64)</Specified></Salt><IterationCount>2000</IterationCount><KeyLength>16</KeyLength><PRF/></pkcs5:PBKDF2-params></xenc11:KeyDerivationMethod><xenc11:MasterKeyName>test passphrase</xenc11:MasterKeyName></xenc11:DerivedKey>"
{
    container "$DERIVED" "http://www.w3.org/2000/09/xmldsig#hmac-sha1" "$MKCV2" aes128-cbc
    package HOTP-1001 hotp "" 6 "$S1" "$(printf '%s' "$S1" | mac sha1 $MK2)" "<Counter><PlainValue>5</PlainValue></Counter>" aes128-cbc
    package HOTP-1002 hotp "" 6 "$S2" "$(printf '%s' "$S2" | mac sha1 $MK2)" "<Counter><PlainValue>0</PlainValue></Counter>" aes128-cbc
    printf '</KeyContainer>\n'
} > openssl-pbkdf2-hotp.pskc

# Bad input, each from a good file with one thing wrong.
sed 's|<ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=|<ValueMAC>Tu+NvtQfmvfJzF6bmQiJqoLRExc=|' rfc6030-figure6.pskc > bad-mac.pskc
sed 's|urn:ietf:params:xml:ns:keyprov:pskc:hotp|urn:ietf:params:xml:ns:keyprov:pskc#OCRA-1:HOTP-SHA512-8:C-QN08|' rfc6030-figure3.pskc > bad-algorithm.pskc
python3 - <<'PY'
import re
src = open("rfc6030-figure3.pskc").read()
pkg = re.search(r"    <KeyPackage>.*?</KeyPackage>\n", src, re.S).group(0)
open("bad-duplicate-serial.pskc", "w").write(src.replace(pkg, pkg + pkg))
open("bad-dtd.pskc", "w").write('<?xml version="1.0"?>\n<!DOCTYPE KeyContainer [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
                                 + src.split("\n", 1)[1].replace("Issuer</Issuer>", "&b;</Issuer>"))
PY
for f in rfc6030-figure2.pskc rfc6030-figure3.pskc; do pskctool --validate --quiet "$f"; done

# 3. An XML-DSig signed copy of Figure 3 (pskctool --sign, a throwaway self-signed certificate):
#    the import reads the keys and leaves signature checking to pskctool --verify.
tmp=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" -subj /CN=mfakit-pskc-test -days 3650 2>/dev/null
pskctool --sign --sign-key "$tmp/k.pem" --sign-crt "$tmp/c.pem" rfc6030-figure3.pskc > pskctool-signed-figure3.pskc
rm -rf "$tmp"
