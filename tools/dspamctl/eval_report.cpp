// Printing dspamctl eval's figures.
#include "tools/dspamctl/eval_report.h"

#include <algorithm>

namespace dspamd::cli {
namespace {

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

// Setting values come from the name tables and from command-line axes, which
// set_classifier_key keeps free of quotes and control characters; escaped
// anyway so that the output is JSON whatever a future name holds.
std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
            out += escape;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// The members of a run's JSON object, without braces. Rates are fractions
// (0..1); the *_pct keys give the same in percent.
std::string json_members(const EvalResult& r, const Settings& settings, const std::string& store) {
    const Confusion& c = r.metrics.confusion;
    char figures[1024];
    std::snprintf(
        figures, sizeof figures,
        "\"messages\": %zu, \"ham\": %zu, \"spam\": %zu, \"false_positives\": %zu, "
        "\"false_negatives\": %zu, \"fpr\": %.6f, \"fnr\": %.6f, \"accuracy\": %.6f, "
        "\"fpr_pct\": %.4f, \"fnr_pct\": %.4f, \"accuracy_pct\": %.4f, \"roca_pct\": %.6f, "
        "\"learned\": %lld, \"token_rows\": %lld, \"rows_per_learned\": %.2f, "
        "\"whitelisted\": %zu, \"noise_messages\": %zu, \"noise_tokens\": %zu, "
        "\"msgs_per_s\": %.2f, \"seconds\": %.2f, \"peak_rss_kb\": %ld",
        r.messages, c.ham(), c.spam(), c.ham_as_spam, c.spam_as_ham, r.metrics.fpr, r.metrics.fnr,
        r.metrics.accuracy, 100 * r.metrics.fpr, 100 * r.metrics.fnr, 100 * r.metrics.accuracy,
        r.metrics.one_minus_roca, static_cast<long long>(r.learned),
        static_cast<long long>(r.token_rows), r.rows_per_learned(), r.whitelisted,
        r.noise_messages, r.noise_tokens, r.msgs_per_s, r.seconds,
        r.peak_rss_kb);
    std::string out = figures;
    for (const auto& [name, value] : settings) {
        out += ", " + json_string(name) + ": " + json_string(value);
    }
    return out + ", \"store\": " + json_string(store);
}

}  // namespace

Settings run_settings(const ClassifierConfig& classifier, const Settings& extra) {
    Settings settings{
        {"tokenizer", std::string(tokenizer_kind_name(classifier.tokenizer.kind))},
        {"algorithm", std::string(algorithm_name(classifier.scoring.algorithm))},
        {"mode", std::string(training_mode_name(classifier.training.mode))},
    };
    // DSPAM's learning features appear only when switched on.
    if (classifier.bnr.enabled) {
        settings.emplace_back("bnr", "on");
    }
    if (classifier.whitelist.enabled) {
        settings.emplace_back("whitelist", "on");
    }
    if (classifier.statistical_sedation > 0) {
        settings.emplace_back("sedation", std::to_string(classifier.statistical_sedation));
    }
    if (classifier.test_conditional.enabled) {
        settings.emplace_back("tct", "on");
    }
    settings.insert(settings.end(), extra.begin(), extra.end());
    return settings;
}

void print_run(std::FILE* out, const EvalResult& r, const Settings& settings,
               const std::string& store) {
    const Confusion& c = r.metrics.confusion;
    std::string described;
    for (const auto& [name, value] : settings) {
        described += name + "=" + value + " ";
    }
    std::fprintf(out, "settings   %sstore=%s\n", described.c_str(), store.c_str());
    std::fprintf(out, "messages   %zu (%zu ham, %zu spam)\n", r.messages, c.ham(), c.spam());
    std::fprintf(out, "FPR        %.3f %%  (%zu ham judged spam)\n", 100 * r.metrics.fpr,
                 c.ham_as_spam);
    std::fprintf(out, "FNR        %.3f %%  (%zu spam judged ham)\n", 100 * r.metrics.fnr,
                 c.spam_as_ham);
    std::fprintf(out, "accuracy   %.3f %%\n", 100 * r.metrics.accuracy);
    std::fprintf(out, "(1-ROCA)%%  %.4f\n", r.metrics.one_minus_roca);
    std::fprintf(out, "learned    %lld messages\n", static_cast<long long>(r.learned));
    std::fprintf(out, "rows       %lld token rows, %.1f per learned message\n",
                 static_cast<long long>(r.token_rows), r.rows_per_learned());
    std::fprintf(out, "whitelist  %zu verdicts Whitelisted\n", r.whitelisted);
    std::fprintf(out, "BNR        %zu tokens dropped in %zu messages\n", r.noise_tokens,
                 r.noise_messages);
    std::fprintf(out, "msgs/s     %.1f  (%.1f s)\n", r.msgs_per_s, r.seconds);
    std::fprintf(out, "peak RSS   %ld KiB\n", r.peak_rss_kb);
}

void print_run_json(std::FILE* out, const EvalResult& result, const Settings& settings,
                    const std::string& store) {
    std::fprintf(out, "{%s}\n", json_members(result, settings, store).c_str());
}

void print_matrix(std::FILE* out, const std::vector<MatrixRow>& rows) {
    if (rows.empty()) {
        return;
    }
    std::vector<std::vector<std::string>> cells;
    std::vector<std::string> header;
    for (const auto& setting : rows.front().settings) {
        header.push_back(setting.first);
    }
    const std::size_t settings_columns = header.size();
    for (const char* figure : {"(1-ROCA)%", "FPR %", "FNR %", "accuracy %", "learned", "rows",
                               "rows/learned", "msgs/s"}) {
        header.emplace_back(figure);
    }
    cells.push_back(header);
    for (const MatrixRow& row : rows) {
        std::vector<std::string> line;
        for (const auto& setting : row.settings) {
            line.push_back(setting.second);
        }
        const EvalResult& r = row.result;
        line.push_back(fixed(r.metrics.one_minus_roca, 3));
        line.push_back(fixed(100 * r.metrics.fpr, 2));
        line.push_back(fixed(100 * r.metrics.fnr, 2));
        line.push_back(fixed(100 * r.metrics.accuracy, 2));
        line.push_back(std::to_string(r.learned));
        line.push_back(std::to_string(r.token_rows));
        line.push_back(r.learned > 0 ? fixed(r.rows_per_learned(), 0) : "-");
        line.push_back(fixed(r.msgs_per_s, 0));
        cells.push_back(std::move(line));
    }
    std::vector<std::size_t> widths(header.size(), 0);
    for (const auto& line : cells) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            widths[i] = std::max(widths[i], line[i].size());
        }
    }
    for (const auto& line : cells) {
        std::string text;
        for (std::size_t i = 0; i < line.size(); ++i) {
            // Settings read left-aligned, figures right-aligned.
            const std::string pad(widths[i] - line[i].size(), ' ');
            text += i < settings_columns ? line[i] + pad : pad + line[i];
            text += i + 1 < line.size() ? "  " : "";
        }
        text.erase(text.find_last_not_of(' ') + 1);
        std::fprintf(out, "%s\n", text.c_str());
    }
}

void print_matrix_json(std::FILE* out, const std::vector<MatrixRow>& rows,
                       const std::string& store) {
    std::fprintf(out, "[");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::fprintf(out, "%s\n {%s}", i ? "," : "",
                     json_members(rows[i].result, rows[i].settings, store).c_str());
    }
    std::fprintf(out, "\n]\n");
}

}  // namespace dspamd::cli
