//! An open folder of the repository, and what lies below it looked up from there.
//!
//! Reading 10,000 nodes by full path makes the kernel walk `/home/…/repo/system/web/` again for
//! every file, twice (the `lstat` and the `open`). From an open folder (`openat`, `fstatat`)
//! only `node00001/node.json` is walked: reading the tree costs about a tenth less.
//!
//! Same rules as [`crate::store`]: files are looked at before they are opened, opened without
//! following a link and without blocking, and read only if still the file that was looked at.
//! A folder on the way that was swapped for a link after it was listed is not followed either:
//! on Linux the file is opened with `openat2` and `RESOLVE_NO_SYMLINKS`, which refuses a link
//! anywhere in `node00001/node.json` (the `lstat` before it may follow such a link, but only
//! learns what kind of file is there).

use crate::store::{Contents, EntryKind};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// What `lstat` found at a path: its kind, and which file it is (device and inode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) kind: EntryKind,
    id: (u64, u64),
}

pub(crate) struct Folder {
    path: PathBuf,
    #[cfg(unix)]
    dir: rustix::fs::Dir,
}

#[cfg(unix)]
mod imp {
    use super::*;
    use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags};
    use rustix::io::Errno;
    use std::io::Read;
    use std::os::fd::{BorrowedFd, OwnedFd};

    fn kind_of(file_type: FileType) -> EntryKind {
        match file_type {
            FileType::RegularFile => EntryKind::File,
            FileType::Directory => EntryKind::Dir,
            FileType::Symlink => EntryKind::Symlink,
            FileType::Fifo => EntryKind::Fifo,
            FileType::Socket => EntryKind::Socket,
            FileType::CharacterDevice | FileType::BlockDevice => EntryKind::Device,
            FileType::Unknown => EntryKind::Other,
        }
    }

    fn seen(stat: &rfs::Stat) -> Seen {
        Seen { kind: kind_of(FileType::from_raw_mode(stat.st_mode as _)), id: (stat.st_dev, stat.st_ino) }
    }

    /// Opens `rel` below `dir` to read it, following no link on the way (see the module
    /// documentation). Kernels before 5.6 have no `openat2`: there only the last name is
    /// guarded, as `O_NOFOLLOW` does.
    fn open_below(dir: BorrowedFd<'_>, rel: &str) -> rustix::io::Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        #[cfg(target_os = "linux")]
        match rfs::openat2(dir, rel, flags, Mode::empty(), rfs::ResolveFlags::NO_SYMLINKS | rfs::ResolveFlags::BENEATH) {
            Err(Errno::NOSYS) => {}
            done => return done,
        }
        rfs::openat(dir, rel, flags, Mode::empty())
    }

    const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);

    impl Folder {
        /// Opens a folder (never through a link at its last component).
        pub(crate) fn open(path: &Path) -> io::Result<Folder> {
            let fd = rfs::open(path, DIR_FLAGS, Mode::empty())?;
            Ok(Folder { path: path.to_path_buf(), dir: rfs::Dir::new(fd)? })
        }

        /// Opens the subfolder `name` (never through a link).
        pub(crate) fn open_sub(&self, name: &str) -> io::Result<Folder> {
            let fd = rfs::openat(self.dir.fd()?, name, DIR_FLAGS, Mode::empty())?;
            Ok(Folder { path: self.path.join(name), dir: rfs::Dir::new(fd)? })
        }

        /// The folder's device and inode.
        pub(crate) fn id(&self) -> io::Result<(u64, u64)> {
            Ok(seen(&rfs::fstat(self.dir.fd()?)?).id)
        }

        /// Every entry but `.` and `..`, with its kind (from the listing, else from `lstat`).
        pub(crate) fn entries(&mut self) -> io::Result<Vec<(OsString, EntryKind)>> {
            use std::os::unix::ffi::OsStrExt;
            let mut out = Vec::new();
            while let Some(entry) = self.dir.read() {
                let entry = entry?;
                let name = entry.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let name = std::ffi::OsStr::from_bytes(name).to_os_string();
                let kind = match entry.file_type() {
                    FileType::Unknown => self.look(&name)?.map_or(EntryKind::Missing, |s| s.kind),
                    known => kind_of(known),
                };
                out.push((name, kind));
            }
            Ok(out)
        }

        /// `lstat` of `rel` below the folder; `None` if nothing is there.
        pub(crate) fn look(&self, rel: impl AsRef<Path>) -> io::Result<Option<Seen>> {
            match rfs::statat(self.dir.fd()?, rel.as_ref(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => Ok(Some(seen(&stat))),
                Err(Errno::NOENT) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }

        /// Reads the plain file `rel` below the folder that [`Folder::look`] found (`seen`):
        /// opened without following a link and without blocking, and read only if it is still
        /// that file. Anything else is reported, not read.
        pub(crate) fn read(&self, rel: &str, seen_before: Seen) -> io::Result<Contents> {
            if seen_before.kind != EntryKind::File {
                return Ok(Contents::Refused(seen_before.kind));
            }
            let fd = match open_below(self.dir.fd()?, rel) {
                Ok(fd) => fd,
                Err(Errno::NOENT) => return Ok(Contents::Missing),
                Err(Errno::LOOP) => return Ok(Contents::Refused(EntryKind::Symlink)),
                Err(e) => return Err(e.into()),
            };
            let stat = rfs::fstat(&fd)?;
            let now = seen(&stat);
            if now != seen_before {
                return Ok(Contents::Refused(if now.kind == EntryKind::File { EntryKind::Other } else { now.kind }));
            }
            // The size is known: read that much, with no further call to find the end.
            let mut bytes = vec![0u8; stat.st_size as usize];
            let mut file = std::fs::File::from(fd);
            let mut filled = 0;
            while filled < bytes.len() {
                match file.read(&mut bytes[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            bytes.truncate(filled);
            Ok(match String::from_utf8(bytes) {
                Ok(text) => Contents::Text(text),
                Err(_) => Contents::NotText,
            })
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use super::*;
    use crate::store;
    use std::fs;

    impl Folder {
        pub(crate) fn open(path: &Path) -> io::Result<Folder> {
            match store::entry_kind(path)? {
                EntryKind::Dir => Ok(Folder { path: path.to_path_buf() }),
                EntryKind::Missing => Err(io::ErrorKind::NotFound.into()),
                _ => Err(io::Error::other("not a folder")),
            }
        }

        pub(crate) fn open_sub(&self, name: &str) -> io::Result<Folder> {
            Folder::open(&self.path.join(name))
        }

        pub(crate) fn id(&self) -> io::Result<(u64, u64)> {
            Err(io::ErrorKind::Unsupported.into())
        }

        pub(crate) fn entries(&mut self) -> io::Result<Vec<(OsString, EntryKind)>> {
            fs::read_dir(&self.path)?.map(|e| e.and_then(|e| Ok((e.file_name(), EntryKind::of(e.file_type()?))))).collect()
        }

        pub(crate) fn look(&self, rel: impl AsRef<Path>) -> io::Result<Option<Seen>> {
            Ok(match store::entry_kind(&self.path.join(rel))? {
                EntryKind::Missing => None,
                kind => Some(Seen { kind, id: (0, 0) }),
            })
        }

        pub(crate) fn read(&self, rel: &str, seen_before: Seen) -> io::Result<Contents> {
            if seen_before.kind != EntryKind::File {
                return Ok(Contents::Refused(seen_before.kind));
            }
            store::read_contents(&self.path.join(rel))
        }
    }
}

/// Whether opening a listed folder failed because it is no longer one (a link or a file now).
pub(crate) fn no_longer_a_folder(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

impl Folder {
    /// The folder's path, for messages.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_folder_swapped_for_a_link_after_the_listing_is_not_read_through() {
        let dir = tempfile::tempdir().unwrap();
        let (repo, outside) = (dir.path().join("system"), dir.path().join("outside"));
        std::fs::create_dir_all(repo.join("web")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("node.json"), "{\"secret\": 1}").unwrap();
        let mut folder = Folder::open(&repo).unwrap();
        assert_eq!(folder.entries().unwrap(), vec![(OsString::from("web"), EntryKind::Dir)]);
        // Between the listing and the read, `web` becomes a link to a folder outside.
        std::fs::remove_dir(repo.join("web")).unwrap();
        std::os::unix::fs::symlink(&outside, repo.join("web")).unwrap();
        let seen = folder.look("web/node.json").unwrap().expect("the lstat follows the folder link");
        assert!(matches!(folder.read("web/node.json", seen).unwrap(), Contents::Refused(EntryKind::Symlink)));
        assert!(no_longer_a_folder(&folder.open_sub("web").err().unwrap()));
    }
}
