// The lexer (rules in lexer.h): a one-pass state machine over code points.
// Words are built in place in the WordList buffer, so lexing copies each
// kept byte once and allocates nothing once the buffers have grown.
#include "classifier/lexer.h"

#include "classifier/codepoint.h"

namespace dspamd {
namespace {

using lex::CharClass;
using lex::CodePoint;

constexpr bool is_word_char(CharClass cls) {
    return cls == CharClass::letter || cls == CharClass::digit || cls == CharClass::currency;
}

constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Dotted quad of 1-3 digit groups: addresses in Received headers and URLs
// identify senders, so they keep their digits.
bool is_ipv4(std::string_view word) {
    int groups = 0;
    std::size_t digits = 0;
    for (char c : word) {
        if (is_digit(c)) {
            if (++digits > 3) {
                return false;
            }
        } else if (c == '.' && digits > 0) {
            ++groups;
            digits = 0;
        } else {
            return false;
        }
    }
    return groups == 3 && digits > 0;
}

class Lexer {
public:
    Lexer(WordList& out, LexMode mode) : m_out(out), m_header(mode == LexMode::header) {}

    void feed(CodePoint c) {
        if (c.cls == CharClass::ignorable) {
            return;
        }
        switch (m_state) {
            case State::word:
                if (continue_word(c)) {
                    return;
                }
                break;
            case State::bang_run:
                if (c.cls == CharClass::bang) {
                    return;
                }
                break;
            case State::ideographs:
                if (c.cls == CharClass::ideograph) {
                    add_ideographs(m_prev_ideograph, c.value);
                    m_prev_ideograph = c.value;
                    ++m_ideograph_run;
                    return;
                }
                end_ideographs();
                break;
            case State::idle:
                break;
        }
        m_state = State::idle;
        start(c);
    }

    void finish() {
        if (m_state == State::word) {
            end_word(false);
        } else if (m_state == State::ideographs) {
            end_ideographs();
        }
        m_state = State::idle;
    }

private:
    enum class State { idle, word, bang_run, ideographs };

    void start(CodePoint c) {
        if (is_word_char(c.cls)) {
            m_state = State::word;
            m_begin = m_out.start();
            m_count = 0;
            m_letters = 0;
            m_digits = 0;
            m_pending = CodePoint{};
            m_has_pending = false;
            append(c);
        } else if (c.cls == CharClass::ideograph) {
            m_state = State::ideographs;
            m_prev_ideograph = c.value;
            m_ideograph_run = 1;
        } else if (c.cls == CharClass::symbol) {
            const std::size_t begin = m_out.start();
            lex::append_utf8(m_out.chars(), c.value);
            m_out.commit(begin);
        }
    }

    // True when c was taken into the current word (or held as its possible
    // inner character); false when the word ended before c.
    bool continue_word(CodePoint c) {
        if (m_has_pending) {
            const bool fits =
                m_pending.cls == CharClass::comma ? c.cls == CharClass::digit : is_word_char(c.cls);
            if (!fits) {
                end_word(false);
                return false;
            }
            append(m_pending);
            m_has_pending = false;
            append(c);
            return true;
        }
        if (is_word_char(c.cls)) {
            append(c);
            return true;
        }
        const bool inner = c.cls == CharClass::inner ||
                           (c.cls == CharClass::comma && m_last_was_digit) ||
                           (c.cls == CharClass::equals && m_header);
        if (inner) {
            m_pending = c;
            m_has_pending = true;
            return true;
        }
        if (c.cls == CharClass::bang) {
            end_word(true);
            m_state = State::bang_run;
            return true;
        }
        end_word(false);
        return false;
    }

    void append(CodePoint c) {
        ++m_count;
        m_last_was_digit = c.cls == CharClass::digit;
        if (c.cls == CharClass::letter) {
            ++m_letters;
        } else if (c.cls == CharClass::digit) {
            ++m_digits;
        }
        // Past the limit the word is dropped anyway: count, do not copy.
        if (m_count > k_max_word_chars) {
            return;
        }
        if (c.value < 0x80) {
            m_out.chars().push_back(static_cast<char>(c.value));
        } else {
            lex::append_utf8(m_out.chars(), c.value);
        }
    }

    void end_word(bool bang) {
        m_has_pending = false;
        if (m_count < k_min_word_chars || m_count > k_max_word_chars) {
            m_out.rollback(m_begin);
            return;
        }
        std::string& chars = m_out.chars();
        if (m_letters == 0 && m_digits > k_max_number_digits &&
            !is_ipv4(std::string_view(chars).substr(m_begin))) {
            for (std::size_t i = m_begin; i < chars.size(); ++i) {
                if (is_digit(chars[i])) {
                    chars[i] = '0';
                }
            }
        }
        if (bang) {
            chars.push_back('!');
        }
        m_out.commit(m_begin);
    }

    void add_ideographs(char32_t first, char32_t second) {
        const std::size_t begin = m_out.start();
        lex::append_utf8(m_out.chars(), first);
        lex::append_utf8(m_out.chars(), second);
        m_out.commit(begin);
    }

    void end_ideographs() {
        if (m_ideograph_run == 1) {
            const std::size_t begin = m_out.start();
            lex::append_utf8(m_out.chars(), m_prev_ideograph);
            m_out.commit(begin);
        }
        m_ideograph_run = 0;
    }

    WordList& m_out;
    const bool m_header;
    State m_state = State::idle;
    // The word being built.
    std::size_t m_begin = 0;
    std::size_t m_count = 0;  // code points
    std::size_t m_letters = 0;
    std::size_t m_digits = 0;
    bool m_last_was_digit = false;
    CodePoint m_pending;  // an inner character waiting for the next word character
    bool m_has_pending = false;
    // The run of ideographs being split into bigrams.
    char32_t m_prev_ideograph = 0;
    std::size_t m_ideograph_run = 0;
};

}  // namespace

void lex_words(std::string_view text, LexMode mode, WordList& out) {
    Lexer lexer(out, mode);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto byte = static_cast<unsigned char>(text[pos]);
        if (byte < 0x80) {
            ++pos;
            lexer.feed(lex::k_ascii_classes[byte]);
        } else {
            lexer.feed(lex::classify(lex::decode_utf8(text, pos)));
        }
    }
    lexer.finish();
}

}  // namespace dspamd
