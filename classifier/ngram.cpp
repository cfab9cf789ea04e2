// The n-gram stage (shapes in ngram.h). Token texts are composed in the
// output's reusable buffer: the prefix is written once per sequence and each
// token only rewrites what follows it.
#include "classifier/ngram.h"

#include <string>

namespace dspamd {
namespace {

class Composer {
public:
    Composer(std::string_view prefix, TokenOutput& out) : m_out(out), m_text(out.text_buffer()) {
        m_text.assign(prefix);
        m_prefix_size = m_text.size();
    }
    Composer& first(std::string_view word) {
        m_text.resize(m_prefix_size);
        m_text.append(word);
        return *this;
    }
    Composer& then(std::string_view word) {
        m_text.push_back(k_chain_join);
        m_text.append(word);
        return *this;
    }
    Composer& skip() {
        m_text.push_back(k_chain_join);
        m_text.push_back(k_skip_marker);
        return *this;
    }
    bool emit() { return m_out.emit(m_text); }

private:
    TokenOutput& m_out;
    std::string& m_text;
    std::size_t m_prefix_size = 0;
};

bool emit_words(const WordList& words, Composer& c) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (!c.first(words[i]).emit()) {
            return false;
        }
    }
    return true;
}

bool emit_chain(const WordList& words, Composer& c) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (!c.first(words[i]).emit()) {
            return false;
        }
        if (i > 0 && !c.first(words[i - 1]).then(words[i]).emit()) {
            return false;
        }
    }
    return true;
}

bool emit_osb(const WordList& words, Composer& c) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (!c.first(words[i]).emit()) {
            return false;
        }
        for (std::size_t distance = 1; distance < k_sparse_window && i + distance < words.size();
             ++distance) {
            c.first(words[i]);
            for (std::size_t gap = 1; gap < distance; ++gap) {
                c.skip();
            }
            if (!c.then(words[i + distance]).emit()) {
                return false;
            }
        }
    }
    return true;
}

// Bit b of `mask` selects the word b + 1 positions after the anchor; masks
// run upwards as DSPAM's bit patterns do, so the emission order matches.
bool emit_sbph(const WordList& words, Composer& c) {
    constexpr unsigned k_masks = 1U << (k_sparse_window - 1);
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::size_t following = words.size() - i - 1;
        for (unsigned mask = 0; mask < k_masks; ++mask) {
            std::size_t highest = 0;  // farthest selected position, 0 = anchor only
            for (std::size_t b = 0; b + 1 < k_sparse_window; ++b) {
                if ((mask & (1U << b)) != 0) {
                    highest = b + 1;
                }
            }
            // A subset reaching past the end would repeat a shorter one.
            if (highest > following) {
                continue;
            }
            c.first(words[i]);
            for (std::size_t position = 1; position <= highest; ++position) {
                if ((mask & (1U << (position - 1))) != 0) {
                    c.then(words[i + position]);
                } else {
                    c.skip();
                }
            }
            if (!c.emit()) {
                return false;
            }
        }
    }
    return true;
}

}  // namespace

bool emit_ngrams(TokenizerKind kind, std::string_view prefix, const WordList& words,
                 TokenOutput& out) {
    Composer composer(prefix, out);
    switch (kind) {
        case TokenizerKind::word:
            return emit_words(words, composer);
        case TokenizerKind::chain:
            return emit_chain(words, composer);
        case TokenizerKind::osb:
            return emit_osb(words, composer);
        case TokenizerKind::sbph:
            return emit_sbph(words, composer);
    }
    return emit_words(words, composer);
}

}  // namespace dspamd
