// The lexer: text becomes the sequence of words the n-gram stage combines.
//
// A word is a run of letters (any script), digits and currency signs, with
// ' - . _ kept between two word characters ("don't", "e-mail", "3.14",
// "example.com"), ',' kept between digits ("1,000") and, in header values,
// '=' ("spf=pass"). A run of '!' right after a word adds one '!' ("free!"),
// as DSPAM's end-of-token rule does. Words are lower-cased: per-user
// databases are small and case variants would split their evidence.
// Words shorter than k_min_word_chars or longer than k_max_word_chars code
// points are dropped (DSPAM drops tokens of 50 bytes and more; long ones
// are base64, hashes and other noise). Numbers with more than
// k_max_number_digits digits keep only their shape ("555-123-4567" ->
// "000-000-0000"), except dotted IPv4 addresses, which stay as written.
// CJK and Thai text, written without spaces, becomes overlapping character
// bigrams; emoji become one word each.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dspamd {

constexpr std::size_t k_min_word_chars = 2;
constexpr std::size_t k_max_word_chars = 40;
constexpr std::size_t k_max_number_digits = 4;

// Words stored back to back in one buffer, reused from text to text so that
// lexing a message allocates only while its largest part grows the buffers.
class WordList {
public:
    void clear() {
        m_chars.clear();
        m_spans.clear();
    }
    std::size_t size() const { return m_spans.size(); }
    bool empty() const { return m_spans.empty(); }
    std::string_view operator[](std::size_t i) const {
        return std::string_view(m_chars).substr(m_spans[i].first, m_spans[i].second);
    }
    void add(std::string_view word) {
        m_spans.emplace_back(m_chars.size(), word.size());
        m_chars.append(word);
    }
    // Keeps the words for which keep(index, word) is true, in order.
    template <typename Pred>
    void retain(Pred keep) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < m_spans.size(); ++i) {
            if (keep(i, (*this)[i])) {
                m_spans[out++] = m_spans[i];
            }
        }
        m_spans.resize(out);
    }

    // For the lexer, which builds a word in place: start() marks where it
    // begins, chars() is appended to, then commit() keeps it or rollback()
    // forgets it.
    std::size_t start() const { return m_chars.size(); }
    std::string& chars() { return m_chars; }
    void commit(std::size_t begin) { m_spans.emplace_back(begin, m_chars.size() - begin); }
    void rollback(std::size_t begin) { m_chars.resize(begin); }

private:
    std::string m_chars;
    std::vector<std::pair<std::size_t, std::size_t>> m_spans;  // offset, length
};

enum class LexMode {
    body,    // message text, URL paths
    header,  // header values: '=' is also kept inside words
};

// Appends the words of `text` (UTF-8; malformed bytes separate words) to `out`.
void lex_words(std::string_view text, LexMode mode, WordList& out);

}  // namespace dspamd
