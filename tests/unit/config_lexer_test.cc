// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
// tests/unit/config_lexer_test.cc: unit tests of config::Lexer, the keepalived
// preprocessing (comments, quotes, escapes, @id, $NAME, ~SEQ/~LST, include) and
// its robustness limits. Run by unit_tests; owns only temp dirs it creates.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "config/lexer.hh"

namespace halbd::config {
namespace {

namespace fs = std::filesystem;

struct Lexed {
    SourceManager sources;
    Diagnostics diags;
    std::vector<Token> toks;

    // Tokens rendered as "w1|w2\n" per logical line; braces as { and }.
    std::string dump() const {
        std::string out;
        bool first = true;
        for (const Token& t : toks) {
            if (t.kind == TokenKind::EndOfLine) {
                out += '\n';
                first = true;
                continue;
            }
            if (t.kind == TokenKind::End)
                break;
            if (!first)
                out += '|';
            out += t.text;
            first = false;
        }
        return out;
    }
    std::vector<std::string> messages() const {
        std::vector<std::string> out;
        for (const Diagnostic& d : diags.items())
            out.push_back(diags.format(sources, d));
        return out;
    }
    bool has_message(const std::string& needle) const {
        for (const std::string& m : messages())
            if (m.find(needle) != std::string::npos)
                return true;
        return false;
    }
    const Token& word(const std::string& text) const {
        for (const Token& t : toks)
            if (t.kind == TokenKind::Word && t.text == text)
                return t;
        static Token none;
        ADD_FAILURE() << "no token " << text;
        return none;
    }
};

LexerOptions opts_with_id(std::string id) {
    LexerOptions o;
    o.config_id = std::move(id);
    o.random_seed = 42;
    return o;
}

void drain(Lexer& lx, Lexed& r, size_t limit = 50'000'000) {
    for (size_t i = 0; i < limit; ++i) {
        Token t = lx.next();
        bool end = t.kind == TokenKind::End;
        r.toks.push_back(std::move(t));
        if (end)
            return;
    }
    ADD_FAILURE() << "lexer did not reach End";
}

void lex_into(Lexed& r, const std::string& text, LexerOptions o = opts_with_id("main"),
              const std::string& name = "test.conf") {
    Lexer lx(r.sources, r.diags, o);
    lx.open_text(name, text);
    drain(lx, r);
}

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "halbd-lexer-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        char* p = mkdtemp(buf.data());
        EXPECT_NE(p, nullptr);
        char real[PATH_MAX];
        path_ = realpath(p, real);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string write(const std::string& rel, const std::string& text) const {
        fs::path p = fs::path(path_) / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// ---- words, braces, lines, locations --------------------------------------

TEST(LexerBasic, WordsBracesAndLines) {
    Lexed r;
    lex_into(r, "virtual_server 10.0.0.1 80{\n  real_server 1.2.3.4 80 {weight 2}\n}\n");
    EXPECT_EQ(r.dump(), "virtual_server|10.0.0.1|80|{\nreal_server|1.2.3.4|80|{|weight|2|}\n}\n");
    EXPECT_EQ(r.diags.error_count(), 0u);
    EXPECT_EQ(r.toks.back().kind, TokenKind::End);
    EXPECT_EQ(r.toks[3].kind, TokenKind::LBrace);
    EXPECT_EQ(r.toks[3].loc.line, 1u);
    EXPECT_EQ(r.toks[3].loc.col, 27u);
    const Token& rs = r.word("real_server");
    EXPECT_EQ(rs.loc.line, 2u);
    EXPECT_EQ(rs.loc.col, 3u);
    EXPECT_EQ(rs.loc.file, 1u);
    EXPECT_EQ(r.word("weight").loc.col, 27u);
}

TEST(LexerBasic, EndIsRepeatedAndEmptyInputGivesEnd) {
    SourceManager s;
    Diagnostics d;
    Lexer lx(s, d, opts_with_id("x"));
    lx.open_text("empty.conf", "");
    EXPECT_EQ(lx.next().kind, TokenKind::End);
    EXPECT_EQ(lx.next().kind, TokenKind::End);
}

TEST(LexerBasic, BlankAndCommentLinesGiveNoEndOfLine) {
    Lexed r;
    lex_into(r, "\n   \n# comment\n  ! bang comment\na\r\n\n");
    EXPECT_EQ(r.dump(), "a\n");
    ASSERT_EQ(r.toks.size(), 3u);
    EXPECT_EQ(r.toks[1].kind, TokenKind::EndOfLine);
    EXPECT_EQ(r.toks[0].loc.line, 5u);
}

TEST(LexerBasic, LastLineWithoutNewline) {
    Lexed r;
    lex_into(r, "a b");
    EXPECT_EQ(r.dump(), "a|b\n");
}

// ---- comments ---------------------------------------------------------------

TEST(LexerComment, StartsAnywhereOutsideDoubleQuotes) {
    Lexed r;
    lex_into(r, "router_id abc#def\nx y!z\nq \"a#b!c\" # tail\n");
    EXPECT_EQ(r.dump(), "router_id|abc\nx|y\nq|a#b!c\n");
    EXPECT_EQ(r.diags.error_count(), 0u);
}

TEST(LexerComment, BackslashEscapesCommentCharacter) {
    Lexed r;
    lex_into(r, "a\\#b c\\!d\n");
    EXPECT_EQ(r.dump(), "a#b|c!d\n");
}

TEST(LexerComment, SingleQuotesDoNotProtectLikeKeepalived) {
    // keepalived's decomment() only tracks double quotes.
    Lexed r;
    lex_into(r, "a 'b#c'\n");
    EXPECT_EQ(r.dump(), "a|b\n");
    EXPECT_TRUE(r.has_message("test.conf:1:3: error: missing closing ' quote"));
}

// ---- quotes and escapes -------------------------------------------------------

TEST(LexerQuote, JoinedAsInManPage) {
    Lexed r;
    lex_into(r, "abcd\" efg h jkl \"mnop\nabcd \"efg h jkl\" mnop\n");
    ASSERT_GE(r.toks.size(), 6u);
    EXPECT_EQ(r.toks[0].text, "abcd efg h jkl mnop");
    EXPECT_TRUE(r.toks[0].quoted);
    EXPECT_EQ(r.toks[1].kind, TokenKind::EndOfLine);
    EXPECT_EQ(r.toks[2].text, "abcd");
    EXPECT_FALSE(r.toks[2].quoted);
    EXPECT_EQ(r.toks[3].text, "efg h jkl");
    EXPECT_TRUE(r.toks[3].quoted);
    EXPECT_EQ(r.toks[4].text, "mnop");
}

TEST(LexerQuote, QuotedBracesAreWordsAndEmptyStringIsAWord) {
    Lexed r;
    lex_into(r, "a \"{\" '}' \"\" \"x y{z}\"\n");
    ASSERT_EQ(r.toks.size(), 7u);
    EXPECT_EQ(r.toks[1].kind, TokenKind::Word);
    EXPECT_EQ(r.toks[1].text, "{");
    EXPECT_EQ(r.toks[2].kind, TokenKind::Word);
    EXPECT_EQ(r.toks[2].text, "}");
    EXPECT_EQ(r.toks[3].text, "");
    EXPECT_TRUE(r.toks[3].quoted);
    EXPECT_EQ(r.toks[4].text, "x y{z}");
}

TEST(LexerQuote, Escapes) {
    Lexed r;
    lex_into(r, "\"\\a\\b\\E\\f\\n\\r\\t\\v|\\101\\7\\x41\\x4a4b\\cA\\q\\\\\\\"\\'\" '\\'' x\\ y\n");
    ASSERT_GE(r.toks.size(), 3u);
    EXPECT_EQ(r.toks[0].text,
              std::string("\a\b\x1b\f\n\r\t\v|A\x07" "A\x4b\x01q\\\"'"));
    EXPECT_EQ(r.toks[1].text, "'");
    EXPECT_EQ(r.toks[2].text, "x y");
    EXPECT_EQ(r.diags.error_count(), 0u);
}

TEST(LexerQuote, UnterminatedQuoteErrorsAtQuoteAndRunsToEndOfLine) {
    Lexed r;
    lex_into(r, "a \"bc d\nnext line\n");
    EXPECT_EQ(r.dump(), "a|bc d\nnext|line\n");
    EXPECT_EQ(r.diags.error_count(), 1u);
    EXPECT_TRUE(r.has_message(
        "test.conf:1:3: error: missing closing \" quote; the string runs to the end of the line"));
}

TEST(LexerQuote, BackslashAtEndOfLineIsAnError) {
    Lexed r;
    lex_into(r, "a b\\\nc\n");
    EXPECT_EQ(r.dump(), "a|b\nc\n");
    EXPECT_TRUE(r.has_message("test.conf:1:4: error: '\\' at end of line"));
}

// ---- conditionals -------------------------------------------------------------

TEST(LexerConditional, MatchesConfigId) {
    Lexed r;
    lex_into(r,
             "@main router_id main_router\n@backup router_id backup_router\n"
             "@^main n1\n@^backup n2\n@main\n@^x   spaced\n",
             opts_with_id("main"));
    EXPECT_EQ(r.dump(), "router_id|main_router\nn2\nspaced\n");
    EXPECT_EQ(r.word("main_router").loc.col, 17u);
    EXPECT_EQ(r.word("spaced").loc.col, 7u);
}

TEST(LexerConditional, DefaultIdIsFirstLabelOfHostname) {
    struct utsname u;
    ASSERT_EQ(uname(&u), 0);
    std::string host = u.nodename;
    host = host.substr(0, host.find('.'));
    Lexed r;
    LexerOptions o;  // config_id left empty
    lex_into(r, "@" + host + " yes\n@^" + host + " no\nx ${_INSTANCE}\n", o);
    EXPECT_EQ(r.dump(), "yes\nx|" + host + "\n");
}

// ---- parameters -------------------------------------------------------------------

TEST(LexerParam, DefineAndExpand) {
    Lexed r;
    lex_into(r, "$A=1\nq ${A}.2 $A $A,x ($A) $A.2\n  $B=two words\nr $B\n");
    EXPECT_EQ(r.dump(), "q|1.2|1|1,x|(1)|$A.2\nr|two|words\n");
    // Expanded text points at the use site.
    EXPECT_EQ(r.toks[1].loc.line, 2u);
    EXPECT_EQ(r.toks[1].loc.col, 3u);
    EXPECT_EQ(r.toks[2].loc.col, 10u);
}

TEST(LexerParam, SpaceBeforeEqualsIsNotADefinition) {
    Lexed r;
    lex_into(r, "$A = 1\nx$B=2\n");
    EXPECT_EQ(r.dump(), "$A|=|1\nx$B=2\n");
}

TEST(LexerParam, ManPageRecursiveExample) {
    Lexed r;
    lex_into(r,
             "$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n"
             "$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\n");
    EXPECT_EQ(r.dump(), "10.2.0.100/32\n10.2.10.100/32\n");
    EXPECT_EQ(r.diags.error_count(), 0u);
}

TEST(LexerParam, EmptyValue) {
    Lexed r;
    lex_into(r, "$E=\nq${E}r\n");
    EXPECT_EQ(r.dump(), "qr\n");
}

TEST(LexerParam, UndefinedIsLeftAsIsWithWarning) {
    Lexed r;
    lex_into(r, "notify \"/bin/x ${UNDEF}\" $HOME\n");
    EXPECT_EQ(r.dump(), "notify|/bin/x ${UNDEF}|$HOME\n");
    EXPECT_EQ(r.diags.error_count(), 0u);
    EXPECT_TRUE(r.has_message("test.conf:1:16: warning: undefined parameter '${UNDEF}' left as is"));
    EXPECT_TRUE(r.has_message("warning: undefined parameter '$HOME' left as is"));
}

TEST(LexerParam, ConditionalInValue) {
    Lexed r;
    lex_into(r, "$IF_MAIN=@main\n$IF_MAIN priority 240\n$IF_B=@backup\n$IF_B priority 100\n",
             opts_with_id("main"));
    EXPECT_EQ(r.dump(), "priority|240\n");
    Lexed r2;
    lex_into(r2, "@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n",
             opts_with_id("backup"));
    EXPECT_EQ(r2.dump(), "priority|200\n");
}

TEST(LexerParam, MultiLineDefinition) {
    Lexed r;
    lex_into(r,
             "$INSTANCE= \\\n"
             "vrrp_instance VI_${NUM} { \\\n"
             "    interface eth0.${NUM} # comment \\\n"
             "    @high priority 130 \\\n"
             "    @low priority 120 \\\n"
             "}\n"
             "\n"
             "$NUM=0\n"
             "$INSTANCE\n"
             "$NUM=1\n"
             "$INSTANCE\n",
             opts_with_id("low"));
    EXPECT_EQ(r.dump(),
              "vrrp_instance|VI_0|{\ninterface|eth0.0\npriority|120\n}\n"
              "vrrp_instance|VI_1|{\ninterface|eth0.1\npriority|120\n}\n");
    // Every line of the expansion is located at the use site.
    EXPECT_EQ(r.word("eth0.1").loc.line, 11u);
    EXPECT_EQ(r.word("eth0.1").loc.col, 1u);
    EXPECT_EQ(r.diags.error_count(), 0u);
}

TEST(LexerParam, NestedMultiLineDefinitions) {
    Lexed r;
    lex_into(r,
             "$RS= \\\n"
             "real_server 192.168.${VS_NUM}.${RS_NUM} 80 { \\\n"
             "  weight 1 \\\n"
             "}\n"
             "$VS= \\\n"
             "virtual_server 10.0.${VS_NUM}.4 80 { \\\n"
             "  $RS_NUM=1 \\\n"
             "  $RS \\\n"
             "  $RS_NUM=2 \\\n"
             "  $RS \\\n"
             "}\n"
             "$VS_NUM=0\n"
             "$VS\n");
    EXPECT_EQ(r.dump(),
              "virtual_server|10.0.0.4|80|{\n"
              "real_server|192.168.0.1|80|{\nweight|1\n}\n"
              "real_server|192.168.0.2|80|{\nweight|1\n}\n"
              "}\n");
}

TEST(LexerParam, BlankLineEndsMultiLineDefinition) {
    Lexed r;
    lex_into(r, "$M= \\\nl1 \\\n\nafter\npre $M\n");
    EXPECT_EQ(r.dump(), "after\npre|l1\n");
}

TEST(LexerParam, MultiLineOnlyAtEndOfLine) {
    Lexed r;
    lex_into(r, "$M=a \\\nb\nx$M y\nx${M}\n");
    EXPECT_EQ(r.dump(), "x$M|y\nxa\nb\n");
    EXPECT_TRUE(r.has_message("multi-line parameter may only end a line"));
}

TEST(LexerParam, PreDefined) {
    TempDir dir;
    Lexed r;
    lex_into(r,
             "a ${_INSTANCE} \"${_HASH}x${_BANG}\" b${_HASH}c\npwd ${_PWD}/s\n"
             "r ${_RANDOM 7 7} ${_RANDOM 3}\n",
             opts_with_id("node1"), dir.path() + "/main.conf");
    ASSERT_GE(r.toks.size(), 10u);
    EXPECT_EQ(r.toks[1].text, "node1");
    EXPECT_EQ(r.toks[2].text, "#x!");
    EXPECT_EQ(r.toks[3].text, "b#c");
    EXPECT_EQ(r.word("pwd").loc.line, 2u);
    EXPECT_EQ(r.toks[6].text, dir.path() + "/s");
    EXPECT_EQ(r.toks[9].text, "7");
    int v = std::stoi(r.toks[10].text);
    EXPECT_GE(v, 3);
    EXPECT_LE(v, 32767);
}

TEST(LexerParam, RandomDefaultRange) {
    Lexed r;
    lex_into(r, "${_RANDOM}\n");
    int v = std::stoi(r.toks[0].text);
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 32767);
}

TEST(LexerParam, PreDefinedCanBeOverridden) {
    Lexed r;
    lex_into(r, "$_INSTANCE=other\nx $_INSTANCE\n", opts_with_id("node1"));
    EXPECT_EQ(r.dump(), "x|other\n");
}

TEST(LexerParam, SelfReferenceIsAnErrorNotAHang) {
    Lexed r;
    lex_into(r, "$A=$A\nx $A\n$B=${C}\n$C=y${B}\nz ${B}\n");
    EXPECT_TRUE(r.has_message("test.conf:2:3: error: parameter 'A' is defined in terms of itself"));
    EXPECT_TRUE(r.has_message("test.conf:5:3: error: parameter 'B' is defined in terms of itself"));
    EXPECT_EQ(r.dump(), "x|$A\nz|y$|{|B|}\n");  // unquoted braces split, as in keepalived
}

TEST(LexerParam, RecursiveMultiLineIsAnError) {
    Lexed r;
    lex_into(r, "$M= \\\na \\\n$M\n$M\nafter\n");
    EXPECT_TRUE(r.has_message("parameter 'M' is defined in terms of itself"));
    EXPECT_NE(r.dump().find("after\n"), std::string::npos);
}

TEST(LexerParam, ExplosiveExpansionIsCapped) {
    std::string text;
    for (int i = 0; i < 40; ++i)
        text += "$P" + std::to_string(i) + "=${P" + std::to_string(i + 1) + "}${P" +
                std::to_string(i + 1) + "}\n";
    text += "$P40=x\nstart ${P0}\n";
    LexerOptions o = opts_with_id("m");
    o.max_expansion = 1 << 16;
    Lexed r;
    auto t0 = std::chrono::steady_clock::now();
    lex_into(r, text, o);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_TRUE(r.has_message("parameter expansion of this line exceeds 65536 bytes"));
}

TEST(LexerParam, NonTerminatingReexpansionIsBounded) {
    Lexed r;
    lex_into(r, "$D=$\n$X=${D}X\nv ${X}\n");
    EXPECT_TRUE(r.has_message("parameter expansion does not settle"));
}

// ---- ~SEQ / ~LST --------------------------------------------------------------------

TEST(LexerSeq, ManPageExamples) {
    Lexed r;
    lex_into(r,
             "~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1\n"
             "~SEQx(S2, 0x90, 0x10, 0xc0) fe80::20:${S2}:1\n");
    EXPECT_EQ(r.dump(),
              "ip_address|10.0.0.1\nip_address|10.0.1.1\nip_address|10.0.2.1\nip_address|10.0.3.1\n"
              "fe80::20:90:1\nfe80::20:a0:1\nfe80::20:b0:1\nfe80::20:c0:1\n");
    // Generated tokens keep the columns of the repeated text.
    EXPECT_EQ(r.toks[0].loc.line, 1u);
    EXPECT_EQ(r.toks[0].loc.col, 20u);
}

TEST(LexerSeq, NestedAndDefaults) {
    Lexed r;
    lex_into(r,
             "~SEQx(AD2, 0x90, 0x10, 0xa0) ~SEQx(AD1, 0x12, -1, 0x11) fe81::10:${AD2}:${AD1}\n"
             "~SEQ(A,3) s$A\n~SEQ(B,-2) t$B\n~SEQ(C,5,3) u$C\n~SEQ(D,0) v$D\n");
    EXPECT_EQ(r.dump(),
              "fe81::10:90:12\nfe81::10:90:11\nfe81::10:a0:12\nfe81::10:a0:11\n"
              "s1\ns2\ns3\nt-1\nt-2\nu5\nu4\nu3\nv1\nv0\n");
}

TEST(LexerSeq, WithMultiLineParameter) {
    Lexed r;
    lex_into(r, "$VI= \\\nvi_${IF}_${ID} { \\\n}\n~SEQ(IF,0,1) ~SEQ(ID,1,2) $VI\n");
    EXPECT_EQ(r.dump(), "vi_0_1|{\n}\nvi_0_2|{\n}\nvi_1_1|{\n}\nvi_1_2|{\n}\n");
}

TEST(LexerSeq, ParametersInArguments) {
    Lexed r;
    lex_into(r, "$N=2\n~SEQ(I, 1, ${N}) x$I\n");
    EXPECT_EQ(r.dump(), "x1\nx2\n");
}

TEST(LexerSeq, InvalidSpecifications) {
    Lexed r;
    lex_into(r,
             "~SEQ(D,1,0,3) w\n~SEQ(E,3,1,1) w\n~SEQx(F,-1,3) w\n~SEQ(G) w\n~SEQ G w\n"
             "~SEQ(H,1,2 w\n~SEQ(I,1,2,3,4) w\nok\n");
    EXPECT_EQ(r.dump(), "ok\n");
    EXPECT_TRUE(r.has_message("test.conf:1:1: error: invalid ~SEQ values '~SEQ(D,1,0,3) w'"));
    EXPECT_TRUE(r.has_message("test.conf:2:1: error: invalid ~SEQ values"));
    EXPECT_TRUE(r.has_message("test.conf:3:1: error: ~SEQx is only valid for non-negative numbers"));
    EXPECT_TRUE(r.has_message("test.conf:4:1: error: invalid ~SEQ definition"));
    EXPECT_TRUE(r.has_message("test.conf:5:1: error: invalid ~SEQ specification"));
    EXPECT_TRUE(r.has_message("test.conf:6:1: error: missing ')'"));
    EXPECT_TRUE(r.has_message("test.conf:7:1: error: invalid ~SEQ definition"));
    EXPECT_EQ(r.diags.error_count(), 7u);
}

TEST(LexerSeq, HugeRangeIsCappedWithoutHanging) {
    Lexed r;
    auto t0 = std::chrono::steady_clock::now();
    lex_into(r, "~SEQ(A, 0, 9223372036854775806) x\n~SEQ(B,1,1000) ~SEQ(C,1,1000) ~SEQ(D,1,1000) y\nend\n");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
    EXPECT_TRUE(r.has_message("~SEQ/~LST block would generate 9223372036854775807 lines, more than the limit"));
    EXPECT_TRUE(r.has_message("~SEQ/~LST blocks generate more than 1048576 lines; stopping"));
    EXPECT_EQ(r.toks[r.toks.size() - 3].text, "end");
}

TEST(LexerLst, ManPageExamples) {
    Lexed r;
    lex_into(r,
             "~LST({IP, IP1}, {10,1},{20,4}) 192.168.${IP}.${IP1}\n"
             "~LST(A, 1, 2) ~LST(B, 5,6) 192.169.${A}.${B}\n"
             "~LST({C, D}, {10,1},{20,4}) ~SEQ(E,168,2,170) 192.${E}.${C}.${D}\n");
    EXPECT_EQ(r.dump(),
              "192.168.10.1\n192.168.20.4\n"
              "192.169.1.5\n192.169.1.6\n192.169.2.5\n192.169.2.6\n"
              "192.168.10.1\n192.170.10.1\n192.168.20.4\n192.170.20.4\n");
    EXPECT_EQ(r.diags.error_count(), 0u);
}

TEST(LexerLst, Errors) {
    Lexed r;
    lex_into(r, "~LST(A) x\n~LST({A,B}, {1,2}, {3}) x\n~LST(A, 1 x\n~LST(1A, 2) x\nok\n");
    EXPECT_EQ(r.dump(), "ok\n");
    EXPECT_TRUE(r.has_message("1:1: error: ~LST needs a variable and at least one value"));
    EXPECT_TRUE(r.has_message("2:1: error: ~LST value '{3}' does not have 2 element(s)"));
    EXPECT_TRUE(r.has_message("3:1: error: missing ')' in ~LST definition"));
    EXPECT_TRUE(r.has_message("4:1: error: invalid ~LST variable name '1A'"));
}

// ---- include --------------------------------------------------------------------------

// Files are streamed in chunks: lines that straddle a chunk boundary, and a
// line longer than a chunk, must come out whole with the right locations.
TEST(LexerFile, StreamsLargeFilesAcrossChunkBoundaries) {
    TempDir d;
    std::string text;
    for (int i = 0; i < 40000; ++i) text += "word" + std::to_string(i) + " x\n";
    text += "long " + std::string(700000, 'y') + "\n";
    text += "last line";
    std::string path = d.write("big.conf", text);
    Lexed r;
    Lexer lx(r.sources, r.diags, opts_with_id("main"));
    ASSERT_TRUE(lx.open_file(path));
    drain(lx, r);
    EXPECT_TRUE(r.messages().empty());
    size_t words = 0;
    for (const Token& t : r.toks)
        if (t.kind == TokenKind::Word) ++words;
    EXPECT_EQ(words, 40000u * 2 + 2 + 2);
    EXPECT_EQ(r.word("word39999").loc.line, 40000u);
    EXPECT_EQ(r.word(std::string(700000, 'y')).loc.line, 40001u);
    EXPECT_EQ(r.word("last").loc.line, 40002u);
    EXPECT_EQ(r.word("line").loc.col, 6u);
}

TEST(LexerInclude, DisabledIncludeIsAnErrorAndReadsNothing) {
    TempDir d;
    std::string inc = d.write("inc.conf", "router_id inner\n");
    LexerOptions o = opts_with_id("main");
    o.allow_include = false;
    Lexed r;
    lex_into(r, "include " + inc + "\nrouter_id outer\n", o);
    EXPECT_EQ(r.dump(), "router_id|outer\n");
    EXPECT_EQ(r.messages(), std::vector<std::string>{"test.conf:1:1: error: include is disabled here"});
}

TEST(LexerInclude, GlobBracesRelativeAndNested) {
    TempDir d;
    d.write("conf.d/b.conf", "b1\n");
    d.write("conf.d/a.conf", "a1\ninclude ../extra/x.conf\na2\n");
    d.write("conf.d/skip.txt", "never\n");
    d.write("extra/x.conf", "x1\n");
    d.write("br/one.conf", "one\n");
    d.write("br/two.conf", "two\n");
    std::string main = d.write("main.conf",
                               "top {\n  include conf.d/*.conf\n}\ninclude br/{two,one}.conf\nend\n");
    Lexed r;
    Lexer lx(r.sources, r.diags, opts_with_id("m"));
    ASSERT_TRUE(lx.open_file(main));
    drain(lx, r);
    EXPECT_EQ(r.dump(), "top|{\na1\nx1\na2\nb1\n}\ntwo\none\nend\n");
    EXPECT_EQ(r.diags.items().size(), 0u);
    const Token& x1 = r.word("x1");
    EXPECT_EQ(r.sources.path(x1.loc.file), d.path() + "/conf.d/../extra/x.conf");
    EXPECT_EQ(x1.loc.line, 1u);
    EXPECT_EQ(r.word("a2").loc.line, 3u);
}

TEST(LexerInclude, MissingFileIsAnErrorAtTheInclude) {
    TempDir d;
    Lexed r;
    lex_into(r, "a\n  include nothere.conf\nb\n", opts_with_id("m"), d.path() + "/main.conf");
    EXPECT_EQ(r.dump(), "a\nb\n");
    EXPECT_TRUE(r.has_message(d.path() + "/main.conf:2:3: error: cannot open include file '" +
                              d.path() + "/nothere.conf': No such file or directory"));
}

TEST(LexerInclude, GlobMatchingNothingIsAWarningUnlessStrict) {
    TempDir d;
    Lexed r;
    lex_into(r, "include none/*.conf\nincludew none/*.conf\nok\n", opts_with_id("m"),
             d.path() + "/main.conf");
    EXPECT_EQ(r.dump(), "ok\n");
    EXPECT_EQ(r.diags.error_count(), 1u);
    EXPECT_EQ(r.diags.warning_count(), 1u);
    EXPECT_TRUE(r.has_message("main.conf:1:1: warning: no file matches include 'none/*.conf'"));
    EXPECT_TRUE(r.has_message("main.conf:2:1: error: no file matches include 'none/*.conf'"));
}

TEST(LexerInclude, LoopIsDetected) {
    TempDir d;
    std::string a = d.write("a.conf", "in_a\ninclude b.conf\n");
    d.write("b.conf", "in_b\ninclude a.conf\nafter_b\n");
    Lexed r;
    Lexer lx(r.sources, r.diags, opts_with_id("m"));
    ASSERT_TRUE(lx.open_file(a));
    drain(lx, r);
    EXPECT_EQ(r.dump(), "in_a\nin_b\nafter_b\n");
    ASSERT_EQ(r.diags.error_count(), 1u);
    EXPECT_EQ(r.messages()[0], d.path() + "/b.conf:2:1: error: include loop: " + d.path() +
                                   "/a.conf -> " + d.path() + "/b.conf -> " + d.path() + "/a.conf");
}

TEST(LexerInclude, SelfIncludeFromOpenText) {
    TempDir d;
    std::string a = d.write("self.conf", "include self.conf\n");
    Lexed r;
    lex_into(r, "include self.conf\nx\n", opts_with_id("m"), a);
    EXPECT_EQ(r.dump(), "x\n");
    EXPECT_TRUE(r.has_message("include loop: " + a + " -> " + a));
}

TEST(LexerInclude, DepthIsBounded) {
    TempDir d;
    for (int i = 0; i < 10; ++i)
        d.write("f" + std::to_string(i) + ".conf",
                "l" + std::to_string(i) + "\ninclude f" + std::to_string(i + 1) + ".conf\n");
    d.write("f10.conf", "deep\n");
    LexerOptions o = opts_with_id("m");
    o.max_include_depth = 5;
    Lexed r;
    Lexer lx(r.sources, r.diags, o);
    ASSERT_TRUE(lx.open_file(d.path() + "/f0.conf"));
    drain(lx, r);
    EXPECT_EQ(r.dump(), "l0\nl1\nl2\nl3\nl4\n");
    EXPECT_TRUE(r.has_message("f4.conf:2:1: error: includes nested deeper than 5 files"));
}

TEST(LexerInclude, AfterConditionalAndParameter) {
    TempDir d;
    d.write("i.conf", "inc\n");
    Lexed r;
    lex_into(r, "@m include i.conf\n@other include i.conf\n$I=include i.conf\n$I\n\"include\" i.conf\n",
             opts_with_id("m"), d.path() + "/main.conf");
    EXPECT_EQ(r.dump(), "inc\ninc\ninclude|i.conf\n");
}

TEST(LexerInclude, WithoutFileNameAndExecutable) {
    TempDir d;
    std::string exe = d.write("x.conf", "secret\n");
    chmod(exe.c_str(), 0755);
    Lexed r;
    lex_into(r, "include\ninclude x.conf\n", opts_with_id("m"), d.path() + "/main.conf");
    EXPECT_EQ(r.dump(), "");
    EXPECT_TRUE(r.has_message("main.conf:1:1: error: 'include' without a file name"));
    EXPECT_TRUE(r.has_message("main.conf:2:1: warning: skipping executable include file"));
}

TEST(LexerInclude, OpenFileMissing) {
    Lexed r;
    Lexer lx(r.sources, r.diags, opts_with_id("m"));
    EXPECT_FALSE(lx.open_file("/nonexistent/halbd/keepalived.conf"));
    ASSERT_EQ(r.diags.error_count(), 1u);
    EXPECT_EQ(r.messages()[0],
              "halbd: error: cannot open configuration file '/nonexistent/halbd/keepalived.conf': "
              "No such file or directory");
    EXPECT_EQ(lx.next().kind, TokenKind::End);
}

// ---- robustness ------------------------------------------------------------------------

TEST(LexerRobust, BinaryGarbage) {
    static const char raw[] = "a\0b c\n\xff\xfe\x80 \"\xc3\x28\n\x01\x02{\x00}\n";
    std::string text(raw, sizeof raw - 1);
    Lexed r;
    lex_into(r, text);
    EXPECT_TRUE(r.has_message("test.conf:1:2: error: NUL byte in configuration text"));
    EXPECT_EQ(r.toks[0].text, "a");
    EXPECT_EQ(r.toks[1].text, "b");
    EXPECT_EQ(r.toks[4].text, "\xff\xfe\x80");
    EXPECT_EQ(r.toks.back().kind, TokenKind::End);
}

TEST(LexerRobust, RandomBytesAlwaysTerminate) {
    std::mt19937 rng(7);
    const char alphabet[] = "ab{}\"'\\#!$@~()SEQLSTx,0123 \t\n\r\0_{}=include*";
    for (int round = 0; round < 300; ++round) {
        std::string text;
        size_t n = rng() % 600;
        for (size_t i = 0; i < n; ++i)
            text += (rng() % 4) ? alphabet[rng() % (sizeof alphabet - 1)] : static_cast<char>(rng());
        Lexed r;
        lex_into(r, text);
        ASSERT_EQ(r.toks.back().kind, TokenKind::End) << "round " << round;
    }
}

TEST(LexerRobust, MegabyteLine) {
    std::string big(1 << 20, 'x');
    Lexed r;
    lex_into(r, "k " + big + "\nnext\n");
    ASSERT_EQ(r.toks.size(), 6u);
    EXPECT_EQ(r.toks[1].text.size(), size_t(1) << 20);
    EXPECT_EQ(r.toks[3].text, "next");
    // and an unterminated quote over a megabyte
    Lexed r2;
    lex_into(r2, "k \"" + big);
    EXPECT_EQ(r2.toks[1].text.size(), size_t(1) << 20);
    EXPECT_EQ(r2.diags.error_count(), 1u);
}

TEST(LexerRobust, DeepBraceNesting) {
    std::string text(10000, '{');
    text += '\n';
    text += std::string(10000, '}');
    Lexed r;
    lex_into(r, text);
    ASSERT_EQ(r.toks.size(), 20003u);
    EXPECT_EQ(r.toks[9999].kind, TokenKind::LBrace);
    EXPECT_EQ(r.toks[10001].kind, TokenKind::RBrace);
    EXPECT_EQ(r.toks[10001].loc.line, 2u);
}

TEST(LexerRobust, ErrorsDoNotStopLexing) {
    Lexed r;
    lex_into(r, "a \"x\nb \\\n~SEQ(Q,1,0,2) z\nc 'y\nd\n");
    EXPECT_EQ(r.diags.error_count(), 4u);
    EXPECT_NE(r.dump().find("d\n"), std::string::npos);
}

TEST(LexerPerf, LargeConfiguration) {
    std::string text;
    text.reserve(40u << 20);
    for (int v = 0; v < 10000; ++v) {
        text += "virtual_server 10." + std::to_string(v / 256) + "." + std::to_string(v % 256) +
                ".1 80 {\n    delay_loop 6\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n";
        for (int s = 0; s < 10; ++s)
            text += "    real_server 192.168.1." + std::to_string(s) +
                    " 80 {\n        weight 1\n        TCP_CHECK {\n            connect_timeout 3\n"
                    "        }\n    }\n";
        text += "}\n";
    }
    Lexed r;
    auto t0 = std::chrono::steady_clock::now();
    SourceManager s;
    Diagnostics d;
    Lexer lx(s, d, opts_with_id("m"));
    lx.open_text("big.conf", std::move(text));
    size_t words = 0, lines = 0;
    for (;;) {
        Token t = lx.next();
        if (t.kind == TokenKind::End)
            break;
        words += t.kind == TokenKind::Word;
        lines += t.kind == TokenKind::EndOfLine;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("lexed %zu lines, %zu words in %.3f s\n", lines, words, secs);
    EXPECT_EQ(lines, 10000u * 66u);
    EXPECT_EQ(d.error_count(), 0u);
}

}  // namespace
}  // namespace halbd::config
