// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// config/token.hh: the unit the lexer hands to the parser. The lexer has
// already applied includes, @conditionals, $macros and ~SEQ/~LST, so the
// parser sees plain statements: words, braces and statement ends.
#pragma once

#include <string>

#include "config/diagnostics.hh"

namespace halbd::config {

enum class TokenKind {
    Word,          // a bare or quoted word (quotes and escapes already removed)
    LBrace,        // an unquoted '{'
    RBrace,        // an unquoted '}'
    EndOfLine,     // end of a logical line that produced at least one token
    End,           // end of all input
};

struct Token {
    TokenKind kind = TokenKind::End;
    std::string text;   // the word's text; "{" / "}" for braces; empty otherwise
    Location loc;       // where the token starts (for macro expansions: the use site)
    bool quoted = false;
};

// Where the parser pulls tokens from: the real Lexer, or a vector in tests.
class TokenSource {
public:
    virtual ~TokenSource() = default;
    virtual Token next() = 0;
};

}  // namespace halbd::config
