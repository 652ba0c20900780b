/**
 * wget 1.21.3's names for its wgetrc commands (src/init.c `commands[]`) and the few long options whose command is not
 * their name without dashes (src/main.c `option_data[]`). Data only: src/cli/wgetrc.ts maps them onto our options.
 *
 * @module
 */

/**
 * Every wgetrc command wget 1.21.3 knows, canonical (lower case, no `-` or `_`), whatever its build options (a
 * wgetrc shared with a build that has c-ares or Metalink still reads here). A command outside this set is an error,
 * as in wget; one inside it that rawhttpget has no option for is ignored (wget's `passive_ftp = on`, in Debian's
 * /etc/wgetrc, must not stop a download over HTTP).
 */
export const WGET_COMMANDS: ReadonlySet<string> = new Set(
  `accept acceptregex addhostdir adjustextension alwaysrest askpassword authnochallenge background backupconverted
  backups base bindaddress binddnsaddress bodydata bodyfile cacertificate cache cadirectory certificate
  certificatetype checkcertificate chooseconfig ciphers compression connecttimeout contentdisposition contentonerror
  continue convertfileonly convertlinks cookies crlfile cutdirs debug defaultpage deleteafter dirprefix dirstruct
  dnscache dnsservers dnstimeout domains dotbytes dotsinline dotspacing dotstyle egdfile excludedirectories
  excludedomains followftp followtags forcehtml ftppasswd ftppassword ftpproxy ftpscleardataconnection
  ftpsfallbacktoftp ftpsimplicit ftpsresumessl ftpstmlf ftpuser glob header hsts hstsfile htmlextension htmlify
  httpkeepalive httppasswd httppassword httpproxy httpsonly httpsproxy httpuser ifmodifiedsince ignorecase
  ignorelength ignoretags includedirectories inet4only inet6only input inputmetalink iri keepbadhash
  keepsessioncookies limitrate loadcookies localencoding logfile login maxredirect metalinkindex metalinkoverhttp
  method mirror netrc noclobber noconfig noparent noproxy numtries outputdocument pagerequisites passiveftp passwd
  password pinnedpubkey postdata postfile preferfamily preferredlocation preservepermissions privatekey
  privatekeytype progress protocoldirectories proxypasswd proxypassword proxyuser quiet quota randomfile randomwait
  readtimeout reclevel recursive referer regextype reject rejectedlog rejectregex relativeonly remoteencoding
  removelisting reportspeed restrictfilenames retrsymlinks retryconnrefused retryonhosterror retryonhttperror robots
  savecookies saveheaders secureprotocol serverresponse showalldnsentries showprogress spanhosts spider startpos
  strictcomments timeout timestamping tries trustservernames unlink useaskpass useproxy user useragent
  useservertimestamps verbose wait waitretry warccdx warccdxdedup warccompression warcdigests warcfile warcheader
  warckeeplog warcmaxsize warctempdir wdebug xattr`.split(/\s+/),
);

/** Deprecated commands that set the same thing as another one (the same `place` in wget's table). */
export const WGET_ALIASES: Readonly<Record<string, string>> = {
  alwaysrest: "continue",
  ftppasswd: "ftppassword",
  htmlextension: "adjustextension",
  httppasswd: "httppassword",
  login: "ftpuser",
  numtries: "tries",
  passwd: "ftppassword",
  proxypasswd: "proxypassword",
};

/**
 * wget's long options whose command is not the long name without dashes. A `--no-FOO` flag of ours that is not
 * listed here is wget's negation of `--FOO` (so `--no-proxy` is `use_proxy = off`); the three that wget declares
 * as options of their own are listed.
 */
export const WGET_OPTION_COMMANDS: Readonly<Record<string, string>> = {
  "config": "chooseconfig",
  "directories": "dirstruct",
  "directory-prefix": "dirprefix",
  "force-directories": "dirstruct",
  "host-directories": "addhostdir",
  "html-extension": "adjustextension",
  "http-passwd": "httppassword",
  "input-file": "input",
  "level": "reclevel",
  "no-clobber": "noclobber",
  "no-config": "noconfig",
  "no-parent": "noparent",
  "output-file": "logfile",
  "proxy": "useproxy",
  "proxy-passwd": "proxypassword",
  "relative": "relativeonly",
  "warc-dedup": "warccdxdedup",
};

/** Commands whose value is a file or directory: in a wgetrc file (not in `-e`), a leading `~/` means `$HOME/`. */
export const WGET_PATH_COMMANDS: ReadonlySet<string> = new Set(
  `cacertificate cadirectory certificate chooseconfig dirprefix egdfile hstsfile input inputmetalink loadcookies
  logfile outputdocument postfile privatekey randomfile rejectedlog savecookies warccdxdedup warcfile
  warctempdir`.split(/\s+/),
);
