#!/usr/bin/perl
# An HTTPS file server for the testbed, built the way Perl programs build one: IO::Socket::SSL for TLS, and
# HTTP::Daemon's connection class for HTTP (as HTTP::Daemon::SSL does). Started by tests/testbed/perl_tls.ts.
#
# Two settings make it sensitive to when the request arrives:
# - OpenSSL reads ahead (SSL_CTX_set_read_ahead): each read() takes all the socket holds, so a request that arrives
#   together with the client's Finished is read, still encrypted, while the TLS accept completes;
# - a Timeout: HTTP::Daemon then waits for the request with select() on the socket before reading it. select() does
#   not see bytes that OpenSSL already holds, so such a request stays unread until the timeout, and the connection
#   closes without a response.
# A request sent once the server has answered the client's Finished (with its TLS 1.3 session tickets) is served.
#
# Usage: perl perl_tls_server.pl ADDR PORT CERT KEY ROOT TIMEOUT
# Logs one line per request and per closed connection (with HTTP::Daemon's reason) on stderr.

use strict;
use warnings;
use IO::Socket::SSL;
use HTTP::Daemon;

# The listening socket: IO::Socket::SSL for TLS, HTTP::Daemon for url() and the Server header.
package PerlTlsDaemon;
our @ISA = ('IO::Socket::SSL', 'HTTP::Daemon');

sub accept {
    my $self = shift;
    my $conn = IO::Socket::SSL::accept($self, 'PerlTlsConn') or return;
    ${*$conn}{httpd_daemon} = $self;
    return $conn;
}

sub _default_scheme { 'https' }
sub _default_port   { 443 }

# One connection: TLS reads through IO::Socket::SSL, get_request() and the responses from HTTP::Daemon.
package PerlTlsConn;
our @ISA = ('IO::Socket::SSL', 'HTTP::Daemon::ClientConn');

package main;

my ($addr, $port, $cert, $key, $root, $timeout) = @ARGV;
die "usage: $0 ADDR PORT CERT KEY ROOT TIMEOUT\n" unless defined $timeout;

# A context of our own, so that read-ahead is set before any connection uses it.
my $ctx = IO::Socket::SSL::SSL_Context->new(SSL_server => 1, SSL_cert_file => $cert, SSL_key_file => $key)
  or die "Cannot create the TLS context: $SSL_ERROR\n";
Net::SSLeay::CTX_set_read_ahead($ctx->{context}, 1);

my $daemon = PerlTlsDaemon->new(
    LocalAddr     => $addr,
    LocalPort     => $port,
    Listen        => 16,
    ReuseAddr     => 1,
    Timeout       => $timeout,
    SSL_server    => 1,
    SSL_reuse_ctx => $ctx,
) or die "Cannot listen on $addr:$port: $! $SSL_ERROR\n";

$SIG{PIPE} = 'IGNORE';    # a client that went away is that connection's end, not the server's
$| = 1;
while (1) {
    # With a Timeout, accept() also returns when no client came in time: then it is not a failure.
    my $conn = $daemon->accept or do {
        print STDERR "TLS accept failed: $SSL_ERROR\n" if $SSL_ERROR;
        next;
    };
    while (my $request = $conn->get_request) {
        my $path = $request->uri->path;
        print STDERR "request ", $request->method, " $path\n";
        if ($path =~ m{(?:^|/)\.\.(?:/|$)}) {
            $conn->send_error(404);
            next;
        }
        $conn->send_file_response("$root$path");
    }
    print STDERR "closed: ", ($conn->reason || "no reason"), "\n";
    $conn->close;
}
