// The C codes and the core's Errc must never drift apart.
#include "mfa/error.hpp"
#include "mfa/mfa_common.h"

#define MFA_CHECK_CODE(c, e) static_assert((c) == static_cast<int>(mfa::Errc::e), #c " != Errc::" #e)

MFA_CHECK_CODE(MFA_OK, ok);
MFA_CHECK_CODE(MFA_ERR_INVALID_ARGUMENT, invalid_argument);
MFA_CHECK_CODE(MFA_ERR_BUFFER_TOO_SMALL, buffer_too_small);
MFA_CHECK_CODE(MFA_ERR_NO_MEMORY, no_memory);
MFA_CHECK_CODE(MFA_ERR_INTERNAL, internal);
MFA_CHECK_CODE(MFA_ERR_CRYPTO, crypto);
MFA_CHECK_CODE(MFA_ERR_LIMIT_EXCEEDED, limit_exceeded);
MFA_CHECK_CODE(MFA_ERR_UNSUPPORTED, unsupported);
MFA_CHECK_CODE(MFA_ERR_NOT_FOUND, not_found);
MFA_CHECK_CODE(MFA_ERR_IO, io);
MFA_CHECK_CODE(MFA_ERR_PARSE, parse);
MFA_CHECK_CODE(MFA_ERR_BASE32_INVALID, base32_invalid);
MFA_CHECK_CODE(MFA_ERR_BASE64_INVALID, base64_invalid);
MFA_CHECK_CODE(MFA_ERR_HEX_INVALID, hex_invalid);
MFA_CHECK_CODE(MFA_ERR_OTP_CODE_FORMAT, otp_code_format);
MFA_CHECK_CODE(MFA_ERR_OTP_CODE_MISMATCH, otp_code_mismatch);
MFA_CHECK_CODE(MFA_ERR_OTP_CODE_REPLAYED, otp_code_replayed);
MFA_CHECK_CODE(MFA_ERR_OTP_SECRET_TOO_SHORT, otp_secret_too_short);
MFA_CHECK_CODE(MFA_ERR_OTP_SECRET_TOO_LONG, otp_secret_too_long);
MFA_CHECK_CODE(MFA_ERR_URI_INVALID, uri_invalid);
MFA_CHECK_CODE(MFA_ERR_URI_SCHEME, uri_scheme);
MFA_CHECK_CODE(MFA_ERR_URI_TYPE, uri_type);
MFA_CHECK_CODE(MFA_ERR_URI_LABEL, uri_label);
MFA_CHECK_CODE(MFA_ERR_URI_SECRET, uri_secret);
MFA_CHECK_CODE(MFA_ERR_URI_PARAMETER, uri_parameter);
MFA_CHECK_CODE(MFA_ERR_URI_ISSUER_MISMATCH, uri_issuer_mismatch);
MFA_CHECK_CODE(MFA_ERR_URI_TOO_LONG, uri_too_long);
MFA_CHECK_CODE(MFA_ERR_MIGRATION_INVALID, migration_invalid);
MFA_CHECK_CODE(MFA_ERR_MIGRATION_FIELD, migration_field);
