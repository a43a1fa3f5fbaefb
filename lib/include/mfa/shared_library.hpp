// A dependency loaded when first used (dlopen) instead of linked. A linked library is loaded, with
// everything it links, into every process that links the SDK: libpq alone brings about twenty
// (Kerberos, LDAP, GnuTLS, SASL …) and costs 4 ms of loader time in each `mfa` run and each PAM
// login, though only a postgresql:// store calls it. The library is found by its soname in the
// loader's usual places (ld.so.conf, LD_LIBRARY_PATH), so its runtime package is all it needs.
#pragma once

#include <string>

#include "mfa/error.hpp"

namespace mfa {

class SharedLibrary {
public:
    // dlopen(soname, RTLD_NOW | RTLD_LOCAL). Errc::unsupported naming the soname and the loader's
    // reason when it cannot be loaded. The handle is never closed: the function pointers taken from
    // it live as long as the process.
    static Result<SharedLibrary> open(const std::string& soname);

    // Points `fn` at the library's function `name` (Errc::unsupported naming both when the library
    // lacks it; `fn` is then unchanged).
    template <class F>
    Status bind(F*& fn, const char* name) const {
        auto p = address(name);
        if (!p) return p.error();
        fn = reinterpret_cast<F*>(*p);
        return {};
    }

private:
    explicit SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
    Result<void*> address(const char* name) const;

    void* handle_;
    std::string soname_;
};

}  // namespace mfa
