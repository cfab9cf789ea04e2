// dspamctl classify, train and retrain: the filter pipeline on messages
// given as files or on standard input.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "classifier/mime/message.h"
#include "engine/dspam_headers.h"
#include "engine/filter.h"
#include "engine/signature_lookup.h"
#include "engine/store_factory.h"
#include "tools/dspamctl/commands.h"

namespace dspamd::cli {
namespace {

Class parse_class_option(const Arguments& args) {
    std::optional<std::string> name = args.value("class");
    if (!name) {
        throw UsageError("--class spam|innocent is required");
    }
    if (*name == "spam") {
        return Class::spam;
    }
    if (*name == "innocent" || *name == "ham") {
        return Class::innocent;
    }
    throw UsageError("--class must be spam or innocent, not \"" + *name + "\"");
}

std::string four(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4f", value);
    return buffer;
}

}  // namespace

int classify_command(const std::vector<std::string>& argv) {
    Arguments args(argv, k_common_values,
                   with_common({"dry-run", "factors", "exit-code"}, k_common_flags));
    Config config = load_cli_config(args);
    std::string user = cli_user(args, config);
    std::vector<Input> inputs = read_inputs(args.operands());

    std::unique_ptr<Store> store = open_store(config);
    Filter filter(config, *store);
    bool spam_found = false;
    for (const auto& input : inputs) {
        Outcome outcome =
            filter.classify(input.bytes, user, args.flag("dry-run"), args.flag("factors"));
        const Verdict& verdict = outcome.verdict;
        spam_found = spam_found || verdict.result == Class::spam;
        std::cout << input.name << ": " << result_word(outcome)
                  << " probability=" << four(verdict.probability)
                  << " confidence=" << four(verdict.confidence) << " score=" << four(verdict.score)
                  << " tokens=" << outcome.token_count << " signature="
                  << (outcome.signature_id.empty() ? "-" : outcome.signature_id) << "\n";
        for (const auto& header : dspam_headers(outcome, args.flag("factors"), std::time(nullptr))) {
            std::cout << header.name << ": " << header.value << "\n";
        }
        if (inputs.size() > 1) {
            std::cout << "\n";
        }
    }
    return spam_found && args.flag("exit-code") ? k_exit_spam_found : k_exit_ok;
}

int train_command(const std::vector<std::string>& argv) {
    Arguments args(argv, with_common({"class"}, k_common_values),
                   with_common({"unlearn"}, k_common_flags));
    Class cls = parse_class_option(args);
    Config config = load_cli_config(args);
    std::string user = cli_user(args, config);
    std::vector<Input> inputs = read_inputs(args.operands());
    const bool unlearn = args.flag("unlearn");

    std::unique_ptr<Store> store = open_store(config);
    Filter filter(config, *store);
    for (const auto& input : inputs) {
        if (unlearn) {
            filter.untrain(input.bytes, user, cls);
        } else {
            filter.train(input.bytes, user, cls);
        }
    }
    std::cout << (unlearn ? "unlearned " : "learned ") << inputs.size() << " message"
              << (inputs.size() == 1 ? "" : "s") << " as " << class_name(cls) << " for " << user
              << "\n";
    return k_exit_ok;
}

namespace {

// retrain --unlearn: takes back what classified messages taught, by signature.
int unlearn_signatures(const Arguments& args) {
    if (args.value("class")) {
        throw UsageError("--unlearn takes no --class: the signature knows what was learned");
    }
    Config config = load_cli_config(args);
    std::string user = cli_user(args, config);
    std::unique_ptr<Store> store = open_store(config);
    Filter filter(config, *store);
    auto report = [&](const std::string& what, bool done) {
        if (done) {
            std::cout << what << ": unlearned\n";
        } else {
            std::cerr << what << ": unknown, expired or already unlearned signature for user "
                      << user << "\n";
        }
        return done;
    };
    if (auto id = args.value("signature")) {
        if (!valid_signature_id(*id)) {
            throw UsageError("--signature: \"" + *id + "\" is not a signature id");
        }
        return report("signature " + *id, filter.unlearn(user, *id)) ? k_exit_ok
                                                                       : k_exit_data_error;
    }
    bool all_ok = true;
    for (const auto& input : read_inputs(args.operands())) {
        ParsedMessage message = parse_message(input.bytes, config.classifier.limits);
        std::optional<std::string> id = find_signature_id(message);
        if (!id) {
            std::cerr << input.name << ": no X-DSPAM-Signature to unlearn "
                      << "(a corpus feed is unlearned with train --unlearn)\n";
            all_ok = false;
            continue;
        }
        all_ok = report(input.name + " (signature " + *id + ")", filter.unlearn(user, *id)) &&
                 all_ok;
    }
    return all_ok ? k_exit_ok : k_exit_data_error;
}

}  // namespace

int retrain_command(const std::vector<std::string>& argv) {
    Arguments args(argv, with_common({"class", "signature"}, k_common_values),
                   with_common({"unlearn"}, k_common_flags));
    if (args.flag("unlearn")) {
        return unlearn_signatures(args);
    }
    Class right = parse_class_option(args);
    Config config = load_cli_config(args);
    std::string user = cli_user(args, config);

    std::unique_ptr<Store> store = open_store(config);
    Filter filter(config, *store);
    auto report = [&](const std::string& what, RetrainStatus status) {
        switch (status) {
            case RetrainStatus::corrected:
                std::cout << what << ": retrained as " << class_name(right) << "\n";
                return true;
            case RetrainStatus::already_right:
                std::cout << what << ": already " << class_name(right) << ", nothing to do\n";
                return true;
            case RetrainStatus::unknown_signature:
                std::cerr << what << ": unknown or expired signature for user " << user << "\n";
                return false;
        }
        return false;
    };

    if (auto id = args.value("signature")) {
        if (!valid_signature_id(*id)) {
            throw UsageError("--signature: \"" + *id + "\" is not a signature id");
        }
        return report("signature " + *id, filter.retrain(user, *id, right)) ? k_exit_ok
                                                                            : k_exit_data_error;
    }
    bool all_ok = true;
    for (const auto& input : read_inputs(args.operands())) {
        ParsedMessage message = parse_message(input.bytes, config.classifier.limits);
        std::optional<std::string> id = find_signature_id(message);
        RetrainStatus status = id ? filter.retrain(user, *id, right)
                                  : filter.retrain_content(input.bytes, user, right);
        if (status == RetrainStatus::unknown_signature) {
            // The signature expired or was never ours: fall back to the content.
            status = filter.retrain_content(input.bytes, user, right);
        }
        all_ok = report(input.name + (id ? " (signature " + *id + ")" : " (by content)"), status) &&
                 all_ok;
    }
    return all_ok ? k_exit_ok : k_exit_data_error;
}

}  // namespace dspamd::cli
