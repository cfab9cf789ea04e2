// Per-user preferences over the global classifier settings.
#include "engine/preferences.h"

namespace dspamd {

ClassifierConfig apply_preferences(const ClassifierConfig& base,
                                   const std::map<std::string, std::string>& preferences,
                                   std::vector<std::string>& warnings) {
    ClassifierConfig settings = base;
    for (const auto& [key, value] : preferences) {
        bool ok = true;
        if (key == "trainingMode") {
            ok = parse_training_mode(value, settings.training.mode);
        } else if (key == "algorithm") {
            ok = parse_algorithm(value, settings.scoring.algorithm);
        } else if (key == "tokenizer") {
            ok = parse_tokenizer_kind(value, settings.tokenizer.kind);
        } else {
            continue;  // preferences of other parts (actions, web UI) are not ours
        }
        if (!ok) {
            warnings.push_back("preference " + key + ": ignoring unknown value \"" + value + "\"");
        }
    }
    return settings;
}

}  // namespace dspamd
