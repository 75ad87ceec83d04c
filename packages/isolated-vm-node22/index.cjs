// isolated-vm 5, resolved from here so that every package manager's layout finds it.
module.exports = require('isolated-vm');
