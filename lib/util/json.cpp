#include "mfa/json.hpp"

#include <cstring>
#include <iterator>
#include <array>
#include <memory>
#include <memory_resource>
#include <unordered_set>

namespace mfa::json {
namespace {

// nlohmann's lexer keeps its position to itself; the reader needs it for errors it raises (a
// duplicate, too deep). Reading through plain pointers is fast, so the position is found only after
// a failure, by a second pass through this iterator, which advances a cursor the reader can see,
// up to the event that failed.
struct Cursor {
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    const char** at;

    reference operator*() const noexcept { return **at; }
    Cursor& operator++() noexcept {
        ++*at;
        return *this;
    }
    Cursor operator++(int) noexcept {
        Cursor c = *this;
        ++*at;
        return c;
    }
    bool operator==(const Cursor& o) const noexcept { return *at == *o.at; }
};

// Objects with more members than this check names in a hash set instead of comparing with each.
constexpr std::uint32_t kLinearMembers = 16;

bool literal_or_number(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
}

std::string printable(std::string_view s) {
    return Value(std::string(s.substr(0, 64))).dump(-1, ' ', false, Value::error_handler_t::replace) +
           (s.size() > 64 ? "..." : "");
}

// nlohmann's text without its "[json.exception...] parse error at line L, column C: " prefix and
// without the "last read: '<token>'" part, which would copy input (a secret, maybe) into the message.
std::string syntax_reason(const std::string& what) {
    std::string msg = what;
    if (auto s = msg.find("syntax error"); s != std::string::npos) msg.erase(0, s);
    const auto lr = msg.find("; last read: '");
    if (lr != std::string::npos) {
        const auto ex = msg.rfind("'; expected ");
        msg = msg.substr(0, lr) + (ex != std::string::npos && ex >= lr ? msg.substr(ex + 1) : "");
    }
    return msg;
}

// The member types nlohmann's SAX interface requires of a handler.
struct SaxTypes {
    using number_integer_t = Value::number_integer_t;
    using number_unsigned_t = Value::number_unsigned_t;
    using number_float_t = Value::number_float_t;
    using string_t = Value::string_t;
    using binary_t = Value::binary_t;
};

class Strict : public SaxTypes {
public:

    Strict(std::string_view text, Sink& sink, const Options& opt)
        : begin_(text.data()), sink_(sink), opt_(opt) {
        frames_.reserve(8);
        arena_.reserve(256);
        ends_.reserve(32);
    }

    // Every event counts once (the second pass stops at the same count).
    bool null() { return value() && pass(sink_.null()); }
    bool boolean(bool v) { return value() && pass(sink_.boolean(v)); }
    bool number_integer(number_integer_t v) { return value() && pass(sink_.number_integer(v)); }
    bool number_unsigned(number_unsigned_t v) { return value() && pass(sink_.number_unsigned(v)); }
    bool number_float(number_float_t v, const string_t&) { return value() && pass(sink_.number_float(v)); }
    bool string(string_t& v) { return value() && pass(sink_.string(v)); }
    bool binary(binary_t&) { return value() && fail("binary value"); }

    bool start_object(std::size_t) { return open(true) && pass(sink_.start_object()); }
    bool start_array(std::size_t) { return open(false) && pass(sink_.start_array()); }
    bool end_object() { return close() && pass(sink_.end_object()); }
    bool end_array() { return close() && pass(sink_.end_array()); }

    bool key(string_t& k) {
        ++events_;
        Frame& f = frames_.back();
        const std::uint32_t n = static_cast<std::uint32_t>(ends_.size()) - f.first_key;
        arena_ += k;
        ends_.push_back(static_cast<std::uint32_t>(arena_.size()));
        if (f.many) {
            if (!f.many->insert(k).second) return duplicate(k);
        } else {
            for (std::uint32_t i = 0; i < n; ++i)
                if (name(f.first_key + i) == k) return duplicate(k);
            if (n + 1 > kLinearMembers) {
                f.many = std::make_unique<std::unordered_set<std::string>>();
                for (std::uint32_t i = 0; i <= n; ++i) f.many->emplace(name(f.first_key + i));
            }
        }
        return pass(sink_.key(k));
    }

    bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) {
        // nlohmann refuses a number that overflows a double (out_of_range.406) after reading it;
        // pos is then the end of the number.
        if (ex.id == 406) {
            value();
            fail("number out of range");
            offset_ = number_start(pos);
            located_ = true;
            return false;
        }
        // pos counts the bytes read including the offending one (or the end of input).
        offset_ = pos == 0 ? 0 : pos - 1;
        located_ = true;
        reason_ = syntax_reason(ex.what());
        path_ = pointer();
        return false;
    }

    // After a failure the reader raised: where the token it failed on starts.
    void locate(std::string_view text);

    [[nodiscard]] std::string message(std::string_view text) const {
        std::string m = std::string(opt_.what) + ": " + reason_ + " at byte " + std::to_string(offset_);
        if (!text.empty() && std::memchr(text.data(), '\n', text.size()) != nullptr) {
            std::size_t line = 1, col = 1;
            for (std::size_t i = 0; i < offset_ && i < text.size(); ++i) {
                if (text[i] == '\n') ++line, col = 1;
                else ++col;
            }
            m += " (line " + std::to_string(line) + ", column " + std::to_string(col) + ")";
        }
        if (!path_.empty()) m += " in " + path_;
        return m;
    }

private:
    struct Frame {
        bool object;
        std::uint32_t first_key;    // index into ends_ of this object's first member name
        std::uint32_t arena_begin;  // where its names start in arena_
        std::uint32_t elements = 0; // arrays: elements begun so far
        std::unique_ptr<std::unordered_set<std::string>> many;
    };

    std::string_view name(std::uint32_t i) const {
        const std::uint32_t b = i == 0 ? 0 : ends_[i - 1];
        return std::string_view(arena_).substr(b, ends_[i] - b);
    }

    bool value() {
        ++events_;
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().elements;
        return true;
    }
    bool open(bool object) {
        value();
        if (frames_.size() >= opt_.max_depth) return fail("nesting deeper than " + std::to_string(opt_.max_depth));
        frames_.push_back(Frame{object, static_cast<std::uint32_t>(ends_.size()),
                                static_cast<std::uint32_t>(arena_.size()), 0, nullptr});
        return true;
    }
    bool close() {
        ++events_;
        ends_.resize(frames_.back().first_key);
        arena_.resize(frames_.back().arena_begin);
        frames_.pop_back();
        return true;
    }

    bool duplicate(const std::string& k) { return fail("duplicate member " + printable(k)); }

    bool pass(bool ok) { return ok || fail(sink_.reason()); }
    bool fail(std::string reason) {
        reason_ = std::move(reason);
        path_ = pointer();
        return false;
    }

    // Where the token that ends at `end` (bytes the lexer consumed) starts.
    std::size_t token_start(std::size_t end) const {
        if (end == 0) return 0;
        const char c = begin_[end - 1];
        if (c == '"') {
            for (std::size_t i = end - 1; i-- > 0;) {
                if (begin_[i] != '"') continue;
                std::size_t bs = 0;
                while (bs < i && begin_[i - 1 - bs] == '\\') ++bs;
                if (bs % 2 == 0) return i;
            }
            return 0;
        }
        if (c == '{' || c == '[' || c == '}' || c == ']') return end - 1;
        return number_start(end);
    }
    // The lexer may have read one byte past a number (or a literal).
    std::size_t number_start(std::size_t end) const {
        if (end > 0 && !literal_or_number(begin_[end - 1])) --end;
        while (end > 0 && literal_or_number(begin_[end - 1])) --end;
        return end;
    }

    // RFC 6901 pointer to the member or element being read.
    std::string pointer() const {
        std::string p;
        for (const Frame& f : frames_) {
            if (f.object) {
                const auto next = static_cast<std::uint32_t>(&f == &frames_.back() ? ends_.size() : (&f + 1)->first_key);
                if (next == f.first_key) break;
                p += '/';
                const std::string_view k = name(next - 1);
                for (char c : k.substr(0, 64)) {
                    if (c == '~') p += "~0";
                    else if (c == '/') p += "~1";
                    else if (static_cast<unsigned char>(c) < 0x20) p += '?';
                    else p += c;
                }
                if (k.size() > 64) p += "...";
            } else {
                if (f.elements == 0) break;
                p += '/' + std::to_string(f.elements - 1);
            }
        }
        return p;
    }

    const char* begin_;
    Sink& sink_;
    const Options& opt_;
    // A typical document (a WebAuthn response, clientDataJSON) fits here: no allocation per read.
    std::array<std::byte, 2048> buf_;
    std::pmr::monotonic_buffer_resource mem_{buf_.data(), buf_.size()};
    std::pmr::vector<Frame> frames_{&mem_};
    std::pmr::string arena_{&mem_};            // member names of the open objects, back to back
    std::pmr::vector<std::uint32_t> ends_{&mem_}; // where each name ends in arena_
    std::string reason_, path_;
    std::size_t offset_ = 0;
    bool located_ = false;
    std::size_t events_ = 0;
};

// The second pass: counts events up to the one that failed, then stops.
class Locator : public SaxTypes {
public:

    explicit Locator(std::size_t event) : event_(event) {}

    bool null() { return next(); }
    bool boolean(bool) { return next(); }
    bool number_integer(number_integer_t) { return next(); }
    bool number_unsigned(number_unsigned_t) { return next(); }
    bool number_float(number_float_t, const string_t&) { return next(); }
    bool string(string_t&) { return next(); }
    bool binary(binary_t&) { return next(); }
    bool start_object(std::size_t) { return next(); }
    bool start_array(std::size_t) { return next(); }
    bool end_object() { return next(); }
    bool end_array() { return next(); }
    bool key(string_t&) { return next(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

private:
    bool next() { return ++seen_ < event_; }
    std::size_t event_;
    std::size_t seen_ = 0;
};

void Strict::locate(std::string_view text) {
    if (located_) return;
    const char* cursor = text.data();
    const char* end = text.data() + text.size();
    Locator loc(events_);
    (void)Value::sax_parse(Cursor{&cursor}, Cursor{&end}, &loc, Value::input_format_t::json, true, false);
    offset_ = token_start(static_cast<std::size_t>(cursor - begin_));
}

}  // namespace

bool DomBuilder::key(std::string& name) {
    key_ = std::move(name);
    return true;
}

Value* DomBuilder::place(Value&& v) {
    started_ = true;
    if (stack_.empty()) {
        root_ = std::move(v);
        return &root_;
    }
    Value& parent = *stack_.back();
    if (parent.is_array()) {
        parent.push_back(std::move(v));
        return &parent.back();
    }
    Value& slot = parent[key_];
    slot = std::move(v);
    return &slot;
}

bool DomBuilder::open(Value&& v) {
    stack_.push_back(place(std::move(v)));
    return true;
}

Status read(std::string_view text, Sink& sink, const Options& opt) {
    if (text.size() > opt.max_bytes)
        return Error(Errc::limit_exceeded, std::string(opt.what) + " is " + std::to_string(text.size()) +
                                               " bytes, limit " + std::to_string(opt.max_bytes));
    // nlohmann's lexer would skip it; JSON exchanged between systems must not have one (RFC 8259 §8.1).
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
        return Error(opt.code, std::string(opt.what) + ": byte order mark at byte 0");
    Strict strict(text, sink, opt);
    if (!Value::sax_parse(text.data(), text.data() + text.size(), &strict, Value::input_format_t::json,
                          /*strict=*/true, /*ignore_comments=*/false)) {
        strict.locate(text);
        return Error(opt.code, strict.message(text));
    }
    return {};
}

Result<Value> parse(std::string_view text, const Options& opt) {
    Value root;
    DomBuilder b(root);
    if (auto st = read(text, b, opt); !st) return std::move(st).error();
    return root;
}

Result<Value> parse_object(std::string_view text, const Options& opt) {
    auto v = parse(text, opt);
    if (v && !v->is_object()) return Error(opt.code, std::string(opt.what) + ": not a JSON object");
    return v;
}

}  // namespace mfa::json
