// SPDX-License-Identifier: MIT
#pragma once
// Text for the language tests that drive the CLI.

#include <string>

namespace hebllm::test {

// Plain text: paragraphs (blank-line separated) are the split's units. A small grammar with
// 20 words, so the next word is partly predictable; `salt` varies the sentence draws.
inline std::string synthetic_corpus(unsigned salt = 0) {
    const char* const subjects[] = {"the king", "a man", "the people", "his son", "the lord"};
    const char* const verbs[] = {"went", "spake", "came", "sat", "stood"};
    const char* const places[] = {"unto the city", "into the house", "by the river",
                                  "upon the hill"};
    std::string text;
    unsigned x = 12345 + salt;
    const auto next = [&x](unsigned n) {
        x = x * 1103515245u + 12345u;
        return (x >> 16) % n;
    };
    for (int paragraph = 0; paragraph < 400; ++paragraph) {
        for (int sentence = 0; sentence < 12; ++sentence) {
            text += std::string(subjects[next(5)]) + " " + verbs[next(5)] + " " + places[next(4)] +
                    (next(3) == 0 ? ", and " : ". ");
        }
        text += "\n\n";
    }
    return text;
}

}  // namespace hebllm::test
