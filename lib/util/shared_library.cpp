#include "mfa/shared_library.hpp"

#include <dlfcn.h>

namespace mfa {

Result<SharedLibrary> SharedLibrary::open(const std::string& soname) {
    void* h = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char* why = dlerror();
        return Error{Errc::unsupported, soname + " could not be loaded: " + (why ? why : "unknown reason")};
    }
    return SharedLibrary(h, soname);
}

Result<void*> SharedLibrary::address(const char* name) const {
    dlerror();
    void* p = dlsym(handle_, name);
    if (!p) {
        const char* why = dlerror();
        return Error{Errc::unsupported, soname_ + " has no " + name + (why ? std::string(": ") + why : std::string())};
    }
    return p;
}

Error SharedLibrary::unsupported(std::string_view component, const Error& why) {
    return Error{Errc::unsupported, std::string(component) + ": " + why.detail};
}

}  // namespace mfa
