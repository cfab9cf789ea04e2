// Per-user preferences (DSPAM's preference table) over the global settings.
// Keys use DSPAM's names: trainingMode, algorithm, tokenizer, enableBNR,
// enableWhitelist, whitelistThreshold, statisticalSedation (0..10) and
// testConditionalTraining (on/off; DSPAM has it only globally); and dspamd's
// logisticRate, logisticHamCost and fisherWeight ([classifier.scoring]
// logistic_rate, logistic_ham_cost and fisher_weight, same ranges). A bad value is reported and ignored, so one
// user's typo cannot stop their mail.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/config.h"

namespace dspamd {

// Returns `base` with the user's preferences applied; problems go to `warnings`.
ClassifierConfig apply_preferences(const ClassifierConfig& base,
                                   const std::map<std::string, std::string>& preferences,
                                   std::vector<std::string>& warnings);

}  // namespace dspamd
