// How dspamctl eval prints its figures: one run as a list or one JSON object;
// a matrix (--compare) as one aligned table or a JSON array.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "engine/config.h"
#include "engine/eval.h"

namespace dspamd::cli {

// The settings of a run as (name, value) pairs: tokenizer, algorithm and
// mode always, then `extra` (further axes of a matrix).
using Settings = std::vector<std::pair<std::string, std::string>>;
Settings run_settings(const ClassifierConfig& classifier, const Settings& extra = {});

void print_run(std::FILE* out, const EvalResult& result, const Settings& settings,
               const std::string& store);
void print_run_json(std::FILE* out, const EvalResult& result, const Settings& settings,
                    const std::string& store);

struct MatrixRow {
    Settings settings;  // the same names in every row
    EvalResult result;
};

// Settings columns, then (1-ROCA)%, FPR %, FNR %, accuracy %, learned
// messages, token rows, rows per learned message, msgs/s.
void print_matrix(std::FILE* out, const std::vector<MatrixRow>& rows);
void print_matrix_json(std::FILE* out, const std::vector<MatrixRow>& rows,
                       const std::string& store);

}  // namespace dspamd::cli
