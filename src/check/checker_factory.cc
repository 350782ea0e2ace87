// check/checker_factory.cc: see checker_factory.hh. The one switch over
// checker kinds; each kind lives in its own file.
#include "check/checker_factory.hh"

#include "check/http_check.hh"
#include "check/tcp_check.hh"

namespace halbd::check {

namespace {

void add(std::string& k, const char* name, Duration d) {
    k += ' ';
    k += name;
    k += '=';
    k += std::to_string(d.count());
}

}  // namespace

bool implemented(config::CheckerKind kind) {
    return kind == config::CheckerKind::TCP_CHECK || kind == config::CheckerKind::HTTP_GET ||
           kind == config::CheckerKind::SSL_GET;
}

core::Result<std::unique_ptr<Checker>> make_checker(core::EventLoop& loop, const config::Checker& c,
                                                    std::shared_ptr<const tls::ClientContext> tls) {
    switch (c.kind()) {
        case config::CheckerKind::TCP_CHECK:
            return std::unique_ptr<Checker>(std::make_unique<TcpChecker>(loop, TcpTarget::from_config(c)));
        case config::CheckerKind::HTTP_GET:
        case config::CheckerKind::SSL_GET: return make_http_checker(loop, c, std::move(tls));
        default:
            return core::Error{0, std::string(config::checker_kind_name(c.kind())) + " is not implemented yet"};
    }
}

std::string probe_key(const config::Checker& c) {
    std::string k = config::checker_kind_name(c.kind());
    k += ' ';
    if (c.connect_ip) k += endpoint_text(*c.connect_ip, c.connect_port.value_or(0));
    else k += ':' + std::to_string(c.connect_port.value_or(0));
    k += " from=";
    if (c.bindto) k += c.bindto->to_string();
    k += ':' + std::to_string(c.bind_port.value_or(0));
    if (c.bind_if) k += '%' + *c.bind_if;
    k += " mark=" + std::to_string(c.fwmark);
    if (c.connect_timeout) add(k, "timeout", *c.connect_timeout);
    if (c.delay_loop) add(k, "loop", *c.delay_loop);
    if (c.delay_before_retry) add(k, "dbr", *c.delay_before_retry);
    if (c.warmup) add(k, "warmup", *c.warmup);
    k += " retry=" + std::to_string(c.retry.value_or(0));
    k += c.alpha.value_or(false) ? " alpha" : "";
    k += c.log_all_failures.value_or(false) ? " log_all" : "";
    // Kind-specific parameters: TCP_CHECK has none.
    append_http_probe_key(k, c);
    return k;
}

}  // namespace halbd::check
