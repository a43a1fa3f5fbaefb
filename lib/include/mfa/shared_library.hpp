// A dependency loaded when first used (dlopen) instead of linked. A linked library is loaded, with
// everything it links, into every process that links the SDK: libpq alone brings about twenty
// (Kerberos, LDAP, GnuTLS, SASL …) and costs 4 ms of loader time in each `mfa` run and each PAM
// login, though only a postgresql:// store calls it. The library is found by its soname in the
// loader's usual places (ld.so.conf, LD_LIBRARY_PATH), so its runtime package is all it needs.
#pragma once

#include <string>
#include <string_view>

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

    // Opens `soname` and fills a table of its functions with `fill(library, table)`, a Status
    // (usually MFA_LIBRARY_BIND, below). Either failure is Errc::unsupported, its detail led by
    // `component`: "PNG: libpng16.so.16 could not be loaded: …". Callers keep the result in a
    // function-local static, so a library is loaded once per process and every later call sees the
    // same outcome.
    template <class Table, class Fill>
    static Result<Table> load(std::string_view component, const char* soname, Fill fill) {
        auto lib = open(soname);
        if (!lib) return unsupported(component, lib.error());
        Table table;
        if (auto st = fill(*lib, table); !st) return unsupported(component, st.error());
        return table;
    }

private:
    static Error unsupported(std::string_view component, const Error& why);
    explicit SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
    Result<void*> address(const char* name) const;

    void* handle_;
    std::string soname_;
};

}  // namespace mfa

// A table of the functions taken from one library. LIST is an X-macro naming them:
//   #define MFA_LIBPNG_FUNCTIONS(X) X(png_create_info_struct) X(png_set_IHDR) ...
//   struct LibPng { MFA_LIBRARY_POINTERS(MFA_LIBPNG_FUNCTIONS) };
//   const Result<LibPng>& libpng() {
//       static const Result<LibPng> loaded = SharedLibrary::load<LibPng>(
//           "PNG", "libpng16.so.16", [](const SharedLibrary& lib, LibPng& t) -> Status {
//               MFA_LIBRARY_BIND(MFA_LIBPNG_FUNCTIONS, lib, t);
//               return {};
//           });
//       return loaded;
//   }
// Each pointer has its function's own type (decltype(&::name)), so the header checks every call.
#define MFA_LIBRARY_POINTER_(name) decltype(&::name) name = nullptr;
#define MFA_LIBRARY_POINTERS(LIST) LIST(MFA_LIBRARY_POINTER_)
#define MFA_LIBRARY_BIND_(name) MFA_TRY(mfa_library_.bind(mfa_table_.name, #name));
// Points each function of LIST in `table` at `lib`'s, or returns the first that is missing from
// the enclosing function (which returns a Status or a Result).
#define MFA_LIBRARY_BIND(LIST, lib, table)                \
    do {                                                  \
        const ::mfa::SharedLibrary& mfa_library_ = (lib); \
        auto& mfa_table_ = (table);                       \
        LIST(MFA_LIBRARY_BIND_)                           \
    } while (0)
