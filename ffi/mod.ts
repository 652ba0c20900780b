/**
 * The libc layer of rawhttpget: raw sockets, BPF filters, routes, ports, name resolution, files, environment, child
 * processes, users and credentials, and dropping root, all through `Deno.dlopen` so the program needs only
 * `--allow-ffi`.
 *
 * @module
 */

export { cString, type Libc, libc, readCString } from "./libc.ts";
export * from "./errno.ts";
export { check, OsError, PRIVILEGE_MESSAGE, PrivilegeError, strerror } from "./os_error.ts";
export { NetlinkError } from "./netlink.ts";
export {
  AF_INET,
  AF_INET6,
  decodeSockaddr,
  decodeSockaddrIn,
  decodeSockaddrIn6,
  encodeSockaddr,
  encodeSockaddrIn,
  encodeSockaddrIn6,
  SOCKADDR_IN6_LEN,
  SOCKADDR_IN_LEN,
  type SockaddrIn,
  type SockaddrIn6,
  type SocketAddress,
} from "./sockaddr.ts";
export {
  POLLERR,
  POLLHUP,
  POLLIN,
  pollNow,
  POLLNVAL,
  POLLOUT,
  waitFor,
  waitReadable,
  waitReadableOrWoken,
  Waker,
} from "./poll.ts";
export {
  attachFilter,
  BPF_ACCEPT,
  BPF_REJECT,
  type BpfInstruction,
  type BpfProgram,
  encodeFprog,
  encodeProgram,
  rejectOutgoing,
  type TcpFlow,
  type TcpFlow6,
  tcpFlowFilter,
  tcpFlowFilter6,
} from "./bpf.ts";
export {
  AF_PACKET,
  ETH_P_IP,
  ETH_P_IPV6,
  IPPROTO_RAW,
  openFlowReceiver,
  openPacketReceiver,
  openRawReceiver,
  openRawSender,
  type PacketReceiverOptions,
  RawReceiver,
  type RawReceiverOptions,
  RawSender,
  type RawSenderOptions,
} from "./raw_socket.ts";
export { RecvBatch } from "./recv_batch.ts";
export { isRst, RawFrameLink, type RawFrameLinkOptions } from "./raw_link.ts";
export {
  libcSetSockOpt,
  openPacketRing,
  PacketRing,
  type PacketRingOptions,
  RingBatch,
  type SetSockOpt,
  TP_STATUS_BLK_TMO,
  TP_STATUS_CSUM_VALID,
  TP_STATUS_CSUMNOTREADY,
  TP_STATUS_USER,
} from "./packet_ring.ts";
export { RingFrameLink } from "./ring_link.ts";
export {
  EAI_ADDRFAMILY,
  EAI_AGAIN,
  EAI_NODATA,
  EAI_NONAME,
  resolveAll,
  ResolveError,
  type ResolveFamily,
  resolveIpv4,
  resolveIpv4All,
  type ResolveOptions,
} from "./resolve.ts";
export { BindError, bindToDevice, type Route, RouteError, type RouteOptions, routeTo } from "./route.ts";
export { reservedAddress, type ReservedPort, reservePort } from "./port.ts";
export {
  AF_UNIX,
  type ChannelMessage,
  channelPair,
  closeDescriptor,
  FdChannel,
  MAX_FDS,
  MAX_MESSAGE,
} from "./fd_channel.ts";
export { CHILD_CHANNEL_FD, spawnWithChannel, waitChild } from "./spawn_channel.ts";
export {
  chown,
  File,
  type FileInfo,
  fileInfo,
  fileSize,
  isDirectoryWritable,
  listDirectory,
  mkdirp,
  openFile,
  type OpenOptions,
  readFileBytes,
  readStandardInput,
  removeFile,
  renameFile,
  setModificationTime,
  writeAccessErrno,
} from "./fs.ts";
export { currentUids, getEnv, getPid, isTerminal, type Uids } from "./process.ts";
export { lookupUid, lookupUser, type User } from "./passwd.ts";
export {
  type Credentials,
  describeCredentials,
  parseProcStatus,
  processCredentials,
  type ThreadCredentials,
  threadCredentials,
} from "./credentials.ts";
export { dropPrivileges, type DropTarget, PrivilegeDropError } from "./privileges.ts";
export { type CommandResult, findProgram, runCommand, runCommandSync, type RunOptions, sendSignal } from "./spawn.ts";
export {
  buildDeleteTableBatch,
  buildOwnerTableBatch,
  type DropChain,
  NFT,
  type NftBatch,
  NftOwnerTable,
  type TcpTuple,
} from "./nftables.ts";
export { chainsFamily, encodeDropRule, type NftFamily, nftFamily } from "./nft_rule.ts";
