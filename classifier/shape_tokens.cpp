// Shape tokens (bands in shape_tokens.h).
#include "classifier/shape_tokens.h"

#include <bit>
#include <string>
#include <string_view>

#include "classifier/codepoint.h"

namespace dspamd {
namespace {

constexpr std::size_t k_min_word_letters = 3;

// Share bounds of capital words, in percent: 0 | < 3 | < 10 | < 25 | more.
constexpr std::size_t k_capital_percent_bounds[] = {3, 10, 25};

constexpr bool is_capital(char32_t c) {
    return c >= 'A' && c <= 'Z';
}

bool emit_band(std::string_view name, int band, TokenOutput& out) {
    std::string& text = out.text_buffer();
    text.assign("Shape*");
    text.append(name);
    text.push_back('=');
    text.append(std::to_string(band));
    return out.emit(text);
}

}  // namespace

TextShape measure_shape(std::span<const TextPart> texts) {
    TextShape shape;
    for (const TextPart& part : texts) {
        const std::string_view text = part.text;
        shape.bytes += text.size();
        std::size_t letters = 0;
        bool all_capitals = true;
        const auto end_word = [&] {
            if (letters >= k_min_word_letters) {
                ++shape.words;
                shape.capital_words += all_capitals ? 1 : 0;
            }
            letters = 0;
            all_capitals = true;
        };
        for (std::size_t pos = 0; pos < text.size();) {
            const auto byte = static_cast<unsigned char>(text[pos]);
            char32_t cp = byte;
            lex::CharClass cls;
            if (byte < 0x80) {  // most of most mail: a table, as in the lexer
                ++pos;
                cls = lex::k_ascii_classes[byte].cls;
            } else {
                cp = lex::decode_utf8(text, pos);
                cls = lex::classify(cp).cls;
            }
            if (cls == lex::CharClass::letter) {
                ++letters;
                all_capitals = all_capitals && is_capital(cp);
                continue;
            }
            if (cls == lex::CharClass::ignorable) {
                continue;  // zero-width characters do not end a word
            }
            end_word();
            shape.bangs += cls == lex::CharClass::bang ? 1 : 0;
            shape.currency_signs += cls == lex::CharClass::currency ? 1 : 0;
        }
        end_word();
    }
    return shape;
}

int power_band(std::size_t count) {
    return std::bit_width(count);
}

int capitals_band(const TextShape& shape) {
    if (shape.capital_words == 0) {
        return 0;
    }
    const std::size_t percent = 100 * shape.capital_words / shape.words;
    int band = 1;
    for (std::size_t bound : k_capital_percent_bounds) {
        if (percent < bound) {
            return band;
        }
        ++band;
    }
    return band;
}

bool add_shape_tokens(const TextShape& shape, TokenOutput& out) {
    return emit_band("caps", capitals_band(shape), out) &&
           emit_band("bang", power_band(shape.bangs), out) &&
           emit_band("currency", power_band(shape.currency_signs), out) &&
           emit_band("length", power_band(shape.bytes), out);
}

}  // namespace dspamd
